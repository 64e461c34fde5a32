"""MkDocs hook (mkdocs.yml `hooks:`): the hub's diagrams, Graphviz sources rendered to SVG.

Each `docs/diagrams/<name>.dot` becomes `diagrams/<name>.svg` in the built site, rendered by
Graphviz's `dot` while MkDocs builds (`apt-get install graphviz`), and the source itself stays out
of the site. Pages show a diagram as an image, `![what it shows](../diagrams/<name>.svg)`, so the
browser draws it from the site's own file: no script, no CDN, nothing fetched when it is viewed.
A warning from Graphviz (a bad attribute, an edge it could not route) fails the build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

FOLDER = "diagrams/"
# What dot writes before the drawing: the XML declaration, a DOCTYPE naming the W3C's DTD by URL,
# and generator comments. None is needed in an <img>, and the DTD's URL is one to nobody.
PREAMBLE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)


def render(source: Path) -> str:
    """The SVG drawing of a Graphviz source file, with its preamble removed."""
    dot = shutil.which("dot")
    if dot is None:
        raise PluginError(
            "Graphviz's `dot` renders the hub's diagrams and is not installed "
            "(Debian: apt-get install graphviz)"
        )
    result = subprocess.run([dot, "-Tsvg", str(source)], capture_output=True, text=True)
    if result.returncode != 0 or result.stderr.strip():
        raise PluginError(f"Graphviz failed on {source.name}: {result.stderr.strip()}")
    return PREAMBLE.sub("", result.stdout).strip() + "\n"


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    for file in list(files):
        if file.src_uri.startswith(FOLDER) and file.src_uri.endswith(".dot"):
            assert file.abs_src_path is not None
            svg = render(Path(file.abs_src_path))
            files.remove(file)
            name = file.src_uri.removesuffix(".dot") + ".svg"
            files.append(File.generated(config, name, content=svg))
    return files
