"""An HTML page as a browser would read it, for tests: what it runs or loads, and its elements.

Read with the standard library's parser, which is lenient as browsers are: a test sees the
elements a browser would build, not what a regular expression guesses.
"""

from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""  # the text inside it, for the elements in TEXT_OF


TEXT_OF = frozenset({"h1", "label", "title", "a", "option", "p", "span"})


class Resources(HTMLParser):
    """Collects what a page would make a browser run or load, and every element it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.inline: list[str] = []  # inline <script> and <style>, style="", on...= handlers
        self.elements: list[Element] = []
        self._open: str | None = None
        self._texts: list[Element] = []  # open elements whose text is kept

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.elements.append(element := Element(tag, values))
        if tag in TEXT_OF:
            self._texts.append(element)
        if "style" in values:
            self.inline.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in values):
            self.inline.append(f"event handler on <{tag}>")
        source = values.get("src") or (values.get("href") if tag == "link" else None)
        if source:
            self.sources.append(source)
        elif tag in {"script", "style"}:
            self._open = tag

    def handle_data(self, data: str) -> None:
        if self._open and data.strip():
            self.inline.append(f"inline <{self._open}>")
        for element in self._texts:
            element.text += data

    def handle_endtag(self, tag: str) -> None:
        self._open = None
        open_tags = [element.tag for element in self._texts]
        if tag in open_tags:  # closes it, and whatever was left open inside it
            index = len(open_tags) - 1 - open_tags[::-1].index(tag)
            for element in self._texts[index:]:
                element.text = " ".join(element.text.split())
            del self._texts[index:]

    def find(self, tag: str, **attrs: str) -> list[Element]:
        """The elements named `tag` whose attributes include `attrs` (`class_` for class)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.elements
            if element.tag == tag and all(element.attrs.get(k) == v for k, v in wanted.items())
        ]


def resources(html: str) -> Resources:
    parser = Resources()
    parser.feed(html)
    parser.close()
    return parser
