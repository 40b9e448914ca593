"""JIRA through its REST API v2 (Server/Data Center and Cloud alike).

Options: ``url``, ``user``, ``token`` (password or API token, sent as Basic
auth), ``project`` (key), ``issue_type`` (default ``Task``), ``parent_field``
(e.g. the Epic Link field ``customfield_10014``; without it an order's issue is
linked to its project's issue with an issue link of type ``link_type``, default
``Relates``), ``private_role`` (the role a private comment is visible to,
default ``Administrators``). The ticket marker is a label. JIRA's webhooks
(``POST /jira/webhook`` on the adapter) only wake the adapter: it reads the
changes through the REST API, so a lost webhook delays nothing beyond a poll.
"""

from datetime import datetime, timedelta
from typing import Any

import httpx

from mercato_oms_adapter.backends.base import Backend, NewTicket, TicketChange

API = "/rest/api/2"
PAGE = 50
# JQL compares times to the minute, in the JIRA user's time zone (UTC for the adapter's user).
JQL_TIME = "%Y/%m/%d %H:%M"


def _moment(jira_time: str) -> datetime:
    return datetime.strptime(jira_time, "%Y-%m-%dT%H:%M:%S.%f%z")


class Jira(Backend):
    def __init__(
        self, options: dict[str, Any], transport: httpx.BaseTransport | None = None
    ) -> None:
        super().__init__(options, transport)
        self.project = options["project"]
        self.http = httpx.Client(
            base_url=options["url"].rstrip("/") + API,
            auth=(options["user"], options["token"]),
            timeout=float(options.get("timeout", 30)),
            transport=transport,
        )

    def _get(self, path: str, **params: Any) -> Any:
        return self.checked(self.http.get(path, params=params)).json()

    def _search(self, jql: str, fields: str, expand: str = "") -> list[dict[str, Any]]:
        issues: list[dict[str, Any]] = []
        while True:
            params = {"jql": jql, "fields": fields, "startAt": len(issues), "maxResults": PAGE}
            if expand:
                params["expand"] = expand
            page = self._get("/search", **params)
            issues += page["issues"]
            if len(issues) >= page["total"] or not page["issues"]:
                return issues

    def find_ticket(self, marker: str) -> str | None:
        found = self._search(f'project = "{self.project}" AND labels = "{marker}"', "labels")
        return found[0]["key"] if found else None

    def create_ticket(self, ticket: NewTicket) -> str:
        fields: dict[str, Any] = {
            "project": {"key": self.project},
            "issuetype": {"name": self.options.get("issue_type", "Task")},
            "summary": ticket.summary[:255],
            "description": ticket.description,
            "labels": [ticket.marker],
            **ticket.fields,
        }
        parent_field = self.options.get("parent_field")
        if ticket.parent and parent_field:
            fields[parent_field] = ticket.parent
        key = self.checked(self.http.post("/issue", json={"fields": fields})).json()["key"]
        if ticket.parent and not parent_field:
            link = {
                "type": {"name": self.options.get("link_type", "Relates")},
                "inwardIssue": {"key": key},
                "outwardIssue": {"key": ticket.parent},
            }
            self.checked(self.http.post("/issueLink", json=link))
        return key

    def find_comment(self, ticket: str, marker: str) -> bool:
        comments = self._get(f"/issue/{ticket}/comment", maxResults=1000)["comments"]
        return any(marker in comment["body"] for comment in comments)

    def add_comment(self, ticket: str, text: str, *, private: bool) -> None:
        body: dict[str, Any] = {"body": text}
        if private:
            role = self.options.get("private_role", "Administrators")
            body["visibility"] = {"type": "role", "value": role}
        self.checked(self.http.post(f"/issue/{ticket}/comment", json=body))

    def status(self, ticket: str) -> str:
        return self._get(f"/issue/{ticket}", fields="status")["fields"]["status"]["name"]

    def set_status(self, ticket: str, status: str) -> None:
        transitions = self._get(f"/issue/{ticket}/transitions")["transitions"]
        chosen = next((t for t in transitions if t["to"]["name"] == status), None)
        if chosen is None:
            raise ValueError(f"{ticket} has no transition to {status!r}")
        body = {"transition": {"id": chosen["id"]}}
        self.checked(self.http.post(f"/issue/{ticket}/transitions", json=body))

    def field(self, ticket: str, name: str) -> str:
        value = self._get(f"/issue/{ticket}", fields=name)["fields"].get(name)
        return "" if value is None else str(value)

    def set_field(self, ticket: str, name: str, value: str) -> None:
        self.checked(self.http.put(f"/issue/{ticket}", json={"fields": {name: value}}))

    def changes_since(self, cursor: str) -> tuple[list[TicketChange], str]:
        jql = f'project = "{self.project}"'
        if cursor:
            # A minute back: JQL has minute precision; the change keys drop repeats.
            since = datetime.fromisoformat(cursor) - timedelta(minutes=1)
            jql += f' AND updated >= "{since.strftime(JQL_TIME)}"'
        issues = self._search(jql + " ORDER BY updated ASC", "status,comment,updated", "changelog")
        changes: list[TicketChange] = []
        newest = cursor
        for issue in issues:
            updated = _moment(issue["fields"]["updated"]).isoformat()
            newest = max(newest, updated) if newest else updated
            changes += self._issue_changes(issue)
        return changes, newest

    def _issue_changes(self, issue: dict[str, Any]) -> list[TicketChange]:
        found: list[tuple[datetime, TicketChange]] = []
        me, key = self.options["user"], issue["key"]
        for history in issue.get("changelog", {}).get("histories", []):
            if history["author"]["name"] == me:
                continue
            for item in history["items"]:
                if item["field"] == "status":
                    change = TicketChange(
                        f"history:{history['id']}", key, "status", status=item["toString"]
                    )
                    found.append((_moment(history["created"]), change))
        for comment in issue["fields"].get("comment", {}).get("comments", []):
            if comment["author"]["name"] == me:
                continue
            change = TicketChange(
                f"comment:{comment['id']}",
                key,
                "comment",
                text=comment["body"],
                private="visibility" in comment,
                author_name=comment["author"].get("displayName", ""),
                author_email=comment["author"].get("emailAddress", ""),
            )
            found.append((_moment(comment["created"]), change))
        return [change for _, change in sorted(found, key=lambda pair: pair[0])]
