"""The stylesheet parses whole: a brace lost in a merge silently drops every rule after it."""

from pathlib import Path

import tinycss2

from mercato.web import STATIC_DIR

STYLESHEET = Path(STATIC_DIR) / "mercato.css"


def _problems(rules: list) -> list[str]:
    found = []
    for rule in rules:
        if rule.type == "error":
            found.append(f"line {rule.source_line}: {rule.message}")
        elif rule.type == "qualified-rule":
            declarations = tinycss2.parse_declaration_list(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            found += [
                f"line {d.source_line}: in {tinycss2.serialize(rule.prelude).strip()}: {d.message}"
                for d in declarations
                if d.type == "error"
            ]
        elif (
            rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword == "media"
        ):
            found += _problems(
                tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            )
    return found


def test_every_rule_of_the_stylesheet_parses() -> None:
    rules = tinycss2.parse_stylesheet(
        STYLESHEET.read_text(), skip_comments=True, skip_whitespace=True
    )
    assert _problems(rules) == []
