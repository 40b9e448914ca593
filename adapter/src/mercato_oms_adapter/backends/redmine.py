"""Redmine through its REST API (``/issues.json``, journals, ``X-Redmine-API-Key``).

Options: ``url``, ``key`` (an API key), ``project`` (identifier), ``tracker``
(name, optional). The ticket marker is the subject's prefix ``[mp-1-2]``; an
order's issue is a subtask of its project's issue. Fields are custom fields,
named by name or id. Redmine has no webhooks: changes are read by polling issues
updated since the cursor, with their journals.
"""

from functools import cached_property
from typing import Any

import httpx

from mercato_oms_adapter.backends.base import Backend, NewTicket, TicketChange

PAGE = 100


class Redmine(Backend):
    def __init__(
        self, options: dict[str, Any], transport: httpx.BaseTransport | None = None
    ) -> None:
        super().__init__(options, transport)
        self.project = options["project"]
        self.http = httpx.Client(
            base_url=options["url"].rstrip("/"),
            headers={"X-Redmine-API-Key": options["key"]},
            timeout=float(options.get("timeout", 30)),
            transport=transport,
        )

    def _get(self, path: str, **params: Any) -> Any:
        return self.checked(self.http.get(path, params=params)).json()

    def _put_issue(self, ticket: str, issue: dict[str, Any]) -> None:
        self.checked(self.http.put(f"/issues/{ticket}.json", json={"issue": issue}))

    def _issue(self, ticket: str, **params: Any) -> dict[str, Any]:
        return self._get(f"/issues/{ticket}.json", **params)["issue"]

    @cached_property
    def _me(self) -> int:
        return self._get("/users/current.json")["user"]["id"]

    @cached_property
    def _statuses(self) -> dict[str, int]:
        found = self._get("/issue_statuses.json")["issue_statuses"]
        return {status["name"]: status["id"] for status in found}

    @cached_property
    def _tracker_id(self) -> int | None:
        name = self.options.get("tracker")
        if not name:
            return None
        trackers = self._get("/trackers.json")["trackers"]
        return next(tracker["id"] for tracker in trackers if tracker["name"] == name)

    def _field_id(self, name: str) -> int:
        if name.isdigit():
            return int(name)
        fields = self._get("/custom_fields.json")["custom_fields"]
        return next(field["id"] for field in fields if field["name"] == name)

    def find_ticket(self, marker: str) -> str | None:
        prefix = f"[{marker}]"
        found = self._get(
            "/issues.json", project_id=self.project, status_id="*", subject=f"~{prefix}"
        )["issues"]
        matches = [issue for issue in found if issue["subject"].startswith(prefix + " ")]
        return str(matches[0]["id"]) if matches else None

    def create_ticket(self, ticket: NewTicket) -> str:
        issue: dict[str, Any] = {
            "project_id": self.project,
            "subject": f"[{ticket.marker}] {ticket.summary}"[:255],
            "description": ticket.description,
            "custom_fields": [
                {"id": self._field_id(name), "value": value}
                for name, value in ticket.fields.items()
            ],
        }
        if ticket.parent:
            issue["parent_issue_id"] = int(ticket.parent)
        if self._tracker_id:
            issue["tracker_id"] = self._tracker_id
        answer = self.checked(self.http.post("/issues.json", json={"issue": issue}))
        return str(answer.json()["issue"]["id"])

    def find_comment(self, ticket: str, marker: str) -> bool:
        journals = self._issue(ticket, include="journals")["journals"]
        return any(marker in (journal.get("notes") or "") for journal in journals)

    def add_comment(self, ticket: str, text: str, *, private: bool) -> None:
        self._put_issue(ticket, {"notes": text, "private_notes": private})

    def status(self, ticket: str) -> str:
        return self._issue(ticket)["status"]["name"]

    def set_status(self, ticket: str, status: str) -> None:
        self._put_issue(ticket, {"status_id": self._statuses[status]})

    def field(self, ticket: str, name: str) -> str:
        wanted = self._field_id(name)
        for field in self._issue(ticket).get("custom_fields", []):
            if field["id"] == wanted:
                return field.get("value") or ""
        return ""

    def set_field(self, ticket: str, name: str, value: str) -> None:
        self._put_issue(ticket, {"custom_fields": [{"id": self._field_id(name), "value": value}]})

    def _updated_issues(self, cursor: str) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "project_id": self.project,
            "status_id": "*",
            "sort": "updated_on",
            "limit": PAGE,
        }
        if cursor:
            params["updated_on"] = f">={cursor}"
        issues: list[dict[str, Any]] = []
        while True:
            page = self._get("/issues.json", offset=len(issues), **params)
            issues += page["issues"]
            if len(issues) >= page["total_count"] or not page["issues"]:
                return issues

    def changes_since(self, cursor: str) -> tuple[list[TicketChange], str]:
        changes: list[TicketChange] = []
        names = {number: name for name, number in self._statuses.items()}
        newest = cursor
        for issue in self._updated_issues(cursor):
            newest = max(newest, issue["updated_on"])
            ticket = str(issue["id"])
            for journal in self._issue(ticket, include="journals")["journals"]:
                if journal["user"]["id"] != self._me:
                    changes += self._journal_changes(ticket, journal, names)
        return changes, newest

    @staticmethod
    def _journal_changes(
        ticket: str, journal: dict[str, Any], names: dict[int, str]
    ) -> list[TicketChange]:
        found: list[TicketChange] = []
        key, author = f"journal:{journal['id']}", journal["user"]["name"]
        for detail in journal.get("details", []):
            if detail["property"] == "attr" and detail["name"] == "status_id":
                status = names.get(int(detail["new_value"]), "")
                found.append(TicketChange(f"{key}:status", ticket, "status", status=status))
        if journal.get("notes"):
            found.append(
                TicketChange(
                    f"{key}:notes",
                    ticket,
                    "comment",
                    text=journal["notes"],
                    private=bool(journal.get("private_notes")),
                    author_name=author,
                )
            )
        return found
