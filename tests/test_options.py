"""One source of option truth: cookiecutter.json. Whatever else names an option or its values
(the pre-generation hook's CHOICES, the post-generation hook's OPTIONS and PRUNE table) is checked
against it, so a new option or value cannot be forgotten in one of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from cookiecutter.utils import create_env_with_context

REPO = Path(__file__).resolve().parents[1]
COOKIECUTTER_JSON: dict[str, Any] = json.loads((REPO / "cookiecutter.json").read_text())
# The options offered as a list of choices, with their values in cookiecutter.json's order.
CHOICE_OPTIONS = {
    name: tuple(values)
    for name, values in COOKIECUTTER_JSON.items()
    if isinstance(values, list) and not name.startswith("_")
}


def rendered_hook(name: str) -> dict[str, Any]:
    """The module-level names of hooks/<name>.py, rendered with the default answers."""
    context = generate_context(context_file=str(REPO / "cookiecutter.json"))
    answers = {"cookiecutter": prompt_for_config(context, no_input=True)}
    answers["cookiecutter"]["_template"] = str(REPO)
    source = (REPO / "hooks" / f"{name}.py").read_text()
    rendered = create_env_with_context(answers).from_string(source).render(**answers)
    namespace: dict[str, Any] = {"__name__": f"hook_{name}"}  # not __main__: nothing runs
    exec(compile(rendered, f"hooks/{name}.py", "exec"), namespace)  # our own hook, rendered
    return namespace


def test_the_pre_generation_hook_offers_the_same_choices_as_cookiecutter_json() -> None:
    assert rendered_hook("pre_gen_project")["CHOICES"] == CHOICE_OPTIONS


def test_the_prune_table_names_only_options_and_values_that_exist() -> None:
    hook = rendered_hook("post_gen_project")
    assert set(hook["OPTIONS"]) <= set(CHOICE_OPTIONS)
    unknown = [
        (option, value)
        for option, value in hook["PRUNE"]
        if option not in hook["OPTIONS"] or value not in CHOICE_OPTIONS[option]
    ]
    assert unknown == []


def test_every_option_that_adds_or_removes_files_is_in_the_post_generation_hook() -> None:
    """An option with a value that prunes files must be read by the hook (OPTIONS)."""
    hook = rendered_hook("post_gen_project")
    pruning = {option for option, _ in hook["PRUNE"]}
    assert pruning == set(hook["OPTIONS"])
