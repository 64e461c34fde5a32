"""One source of option truth: cookiecutter.json. Whatever else names an option or its values
(the pre-generation hook's CHOICES, the post-generation hook's OPTIONS and PRUNE table) is checked
against it, so a new option or value cannot be forgotten in one of them.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from conftest import COOKIECUTTER_JSON, TEMPLATE, answers_for, rendered_hook

# The options offered as a list of choices, with their values in cookiecutter.json's order.
CHOICE_OPTIONS = {
    name: tuple(values)
    for name, values in COOKIECUTTER_JSON.items()
    if isinstance(values, list) and not name.startswith("_")
}


def hook(name: str, folder: Path) -> ModuleType:
    """hooks/<name>.py, rendered with the default answers and loaded (nothing runs)."""
    return rendered_hook(name, answers_for("default") | {"_template": str(TEMPLATE)}, folder)


def test_the_pre_generation_hook_offers_the_same_choices_as_cookiecutter_json(
    tmp_path: Path,
) -> None:
    assert hook("pre_gen_project", tmp_path).CHOICES == CHOICE_OPTIONS


def test_the_prune_table_names_only_options_and_values_that_exist(tmp_path: Path) -> None:
    post_gen = hook("post_gen_project", tmp_path)
    assert set(post_gen.OPTIONS) <= set(CHOICE_OPTIONS)
    unknown = [
        (option, value)
        for option, value in post_gen.PRUNE
        if option not in post_gen.OPTIONS or value not in CHOICE_OPTIONS[option]
    ]
    assert unknown == []


def test_every_option_that_adds_or_removes_files_is_in_the_post_generation_hook(
    tmp_path: Path,
) -> None:
    """An option with a value that prunes files must be read by the hook (OPTIONS)."""
    post_gen = hook("post_gen_project", tmp_path)
    assert {option for option, _ in post_gen.PRUNE} == set(post_gen.OPTIONS)
