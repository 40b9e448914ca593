"""A fake JIRA (REST API v2) on a loopback port, for tests, benchmarks and trying the
adapter without a JIRA. It is faithful to the documented shapes the adapter uses:
issue create/read/edit, search (a JQL subset), comments with visibility,
transitions, issue links, changelogs, Basic auth, JIRA's error bodies
(``{"errorMessages": [...], "errors": {...}}``) and webhooks
(``jira:issue_updated``, ``comment_created``) posted to a registered URL.

People act through ``transition`` and ``comment`` (as another user than the
adapter's), which is how tests play the service desk.
"""

import base64
import contextlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

STATUSES = ["To Do", "In Progress", "Waiting for customer", "Done", "Rejected"]
API = "/rest/api/2"


def jira_time(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _user(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "key": name,
        "displayName": name.replace(".", " ").title(),
        "emailAddress": f"{name}@desk.example.org",
        "active": True,
    }


@dataclass
class Issue:
    id: int
    key: str
    fields: dict[str, Any]
    histories: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)


class JiraError(Exception):
    def __init__(
        self, status: int, messages: list[str], errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(messages)
        self.status, self.body = status, {"errorMessages": messages, "errors": errors or {}}


class FakeJira:
    def __init__(
        self, project: str = "OPS", user: str = "adapter", password: str = "secret"
    ) -> None:
        self.project, self.credentials = project, (user, password)
        self.issues: dict[str, Issue] = {}
        self.lock = threading.Lock()
        self.ids = iter(range(10000, 10**9))
        self.webhook_url = ""
        self.calls: list[tuple[str, str]] = []
        self.base_url = ""

    # --- what people do in JIRA ----------------------------------------------------------

    def transition(self, key: str, status: str, user: str = "desk.agent") -> None:
        with self.lock:
            self._move(self.issues[key], status, user)
        self._webhook("jira:issue_updated", key)

    def comment(self, key: str, body: str, user: str = "desk.agent", private: bool = False) -> None:
        with self.lock:
            self._add_comment(self.issues[key], {"body": body} | self._private(private), user)
        self._webhook("comment_created", key)

    def set_field(self, key: str, name: str, value: str) -> None:
        with self.lock:
            self.issues[key].fields[name] = value

    @staticmethod
    def _private(private: bool) -> dict[str, Any]:
        return {"visibility": {"type": "role", "value": "Administrators"}} if private else {}

    def _webhook(self, kind: str, key: str) -> None:
        if self.webhook_url:
            body = {"timestamp": 0, "webhookEvent": kind, "issue": {"key": key}}
            # JIRA drops a webhook it cannot deliver.
            with contextlib.suppress(httpx.TransportError):
                httpx.post(self.webhook_url, json=body, timeout=5)

    # --- the REST API ---------------------------------------------------------------------

    def _touch(self, issue: Issue) -> None:
        issue.fields["updated"] = jira_time()

    def _move(self, issue: Issue, status: str, user: str) -> None:
        before = issue.fields["status"]["name"]
        issue.fields["status"] = self._status(status)
        history = {
            "id": str(next(self.ids)),
            "author": _user(user),
            "created": jira_time(),
            "items": [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "from": str(STATUSES.index(before) + 1),
                    "fromString": before,
                    "to": str(STATUSES.index(status) + 1),
                    "toString": status,
                }
            ],
        }
        issue.histories.append(history)
        self._touch(issue)

    @staticmethod
    def _status(name: str) -> dict[str, Any]:
        return {"id": str(STATUSES.index(name) + 1), "name": name}

    def _add_comment(self, issue: Issue, body: dict[str, Any], user: str) -> dict[str, Any]:
        if not isinstance(body.get("body"), str) or not body["body"]:
            raise JiraError(400, [], {"comment": "Comment body can not be empty!"})
        now = jira_time()
        comment = {
            "self": f"{self.base_url}{API}/issue/{issue.id}/comment/{len(issue.comments)}",
            "id": str(next(self.ids)),
            "author": _user(user),
            "body": body["body"],
            "updateAuthor": _user(user),
            "created": now,
            "updated": now,
        } | ({"visibility": body["visibility"]} if "visibility" in body else {})
        issue.comments.append(comment)
        self._touch(issue)
        return comment

    def _issue(self, key: str) -> Issue:
        found = self.issues.get(key) or next(
            (issue for issue in self.issues.values() if str(issue.id) == key), None
        )
        if found is None:
            raise JiraError(404, ["Issue Does Not Exist"])
        return found

    def _issue_json(self, issue: Issue, fields: str | None, expand: str) -> dict[str, Any]:
        shown = dict(issue.fields)
        shown["comment"] = {
            "comments": issue.comments,
            "maxResults": len(issue.comments),
            "total": len(issue.comments),
            "startAt": 0,
        }
        shown["issuelinks"] = issue.links
        if fields and fields != "*all":
            wanted = set(fields.split(","))
            shown = {name: value for name, value in shown.items() if name in wanted}
        found: dict[str, Any] = {
            "expand": "renderedFields,names,schema,transitions,changelog",
            "id": str(issue.id),
            "self": f"{self.base_url}{API}/issue/{issue.id}",
            "key": issue.key,
            "fields": shown,
        }
        if "changelog" in expand:
            histories = issue.histories
            found["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        return found

    def create_issue(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        fields = body.get("fields", {})
        errors = {}
        if fields.get("project", {}).get("key") != self.project:
            errors["project"] = "project is required"
        if not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        if not fields.get("issuetype", {}).get("name"):
            errors["issuetype"] = "issue type is required"
        if errors:
            raise JiraError(400, [], errors)
        number = len(self.issues) + 1
        issue_id = next(self.ids)
        now = jira_time()
        stored = dict(fields) | {
            "status": self._status("To Do"),
            "created": now,
            "updated": now,
            "creator": _user(user),
            "reporter": _user(user),
            "labels": list(fields.get("labels", [])),
        }
        issue = Issue(issue_id, f"{self.project}-{number}", stored)
        self.issues[issue.key] = issue
        return {
            "id": str(issue_id),
            "key": issue.key,
            "self": f"{self.base_url}{API}/issue/{issue_id}",
        }

    def search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        jql = query.get("jql", [""])[0]
        matches = self._jql(jql)
        start = int(query.get("startAt", ["0"])[0])
        most = int(query.get("maxResults", ["50"])[0])
        fields = query.get("fields", [None])[0]
        expand = query.get("expand", [""])[0]
        page = matches[start : start + most]
        return {
            "expand": "names,schema",
            "startAt": start,
            "maxResults": most,
            "total": len(matches),
            "issues": [self._issue_json(issue, fields, expand) for issue in page],
        }

    CLAUSE = re.compile(r'^(project|labels|updated)\s*(=|>=)\s*"([^"]*)"$')

    def _jql(self, jql: str) -> list[Issue]:
        where, _, order = jql.partition(" ORDER BY ")
        found = list(self.issues.values())
        for clause in where.split(" AND "):
            match = self.CLAUSE.match(clause.strip())
            if match is None:
                raise JiraError(400, [f"Error in the JQL Query: {clause!r}"])
            name, _, value = match.groups()
            if name == "project":
                found = [i for i in found if i.fields["project"]["key"] == value]
            elif name == "labels":
                found = [i for i in found if value in i.fields["labels"]]
            else:
                since = datetime.strptime(value, "%Y/%m/%d %H:%M").replace(tzinfo=UTC)
                found = [i for i in found if self._updated(i) >= since]
        if order.strip().startswith("updated"):
            found.sort(key=self._updated)
        return found

    @staticmethod
    def _updated(issue: Issue) -> datetime:
        return datetime.strptime(issue.fields["updated"], "%Y-%m-%dT%H:%M:%S.%f%z")

    def transitions(self, issue: Issue) -> dict[str, Any]:
        return {
            "expand": "transitions",
            "transitions": [
                {"id": str(11 * (number + 1)), "name": f"Move to {name}", "to": self._status(name)}
                for number, name in enumerate(STATUSES)
                if name != issue.fields["status"]["name"]
            ],
        }

    def do_transition(self, issue: Issue, body: dict[str, Any], user: str) -> None:
        wanted = str(body.get("transition", {}).get("id"))
        choices = {t["id"]: t["to"]["name"] for t in self.transitions(issue)["transitions"]}
        if wanted not in choices:
            raise JiraError(400, [f"Transition id '{wanted}' is not valid for this issue."])
        self._move(issue, choices[wanted], user)

    def edit_issue(self, issue: Issue, body: dict[str, Any]) -> None:
        for name, value in body.get("fields", {}).items():
            if name in ("status", "project"):
                raise JiraError(400, [], {name: f"Field '{name}' cannot be set."})
            issue.fields[name] = value
        self._touch(issue)

    def link(self, body: dict[str, Any]) -> None:
        inward = self._issue(body["inwardIssue"]["key"])
        outward = self._issue(body["outwardIssue"]["key"])
        kind = {"name": body["type"]["name"]}
        inward.links.append({"type": kind, "outwardIssue": {"key": outward.key}})
        outward.links.append({"type": kind, "inwardIssue": {"key": inward.key}})

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, user: str
    ) -> tuple[int, Any]:
        """(status, JSON body or None) for one API call."""
        self.calls.append((method, path))
        parts = path.removeprefix(API).strip("/").split("/")
        match (method, parts):
            case ("GET", ["search"]):
                return 200, self.search(query)
            case ("POST", ["issue"]):
                return 201, self.create_issue(body, user)
            case ("POST", ["issueLink"]):
                self.link(body)
                return 201, None
            case ("GET", ["issue", key]):
                fields = query.get("fields", [None])[0]
                expand = query.get("expand", [""])[0]
                return 200, self._issue_json(self._issue(key), fields, expand)
            case ("PUT", ["issue", key]):
                self.edit_issue(self._issue(key), body)
                return 204, None
            case ("GET", ["issue", key, "comment"]):
                comments = self._issue(key).comments
                shown = {"startAt": 0, "maxResults": len(comments), "total": len(comments)}
                return 200, shown | {"comments": comments}
            case ("POST", ["issue", key, "comment"]):
                return 201, self._add_comment(self._issue(key), body, user)
            case ("GET", ["issue", key, "transitions"]):
                return 200, self.transitions(self._issue(key))
            case ("POST", ["issue", key, "transitions"]):
                self.do_transition(self._issue(key), body, user)
                return 204, None
        raise JiraError(404, [f"No resource for {method} {path}"])

    def user_of(self, header: str) -> str | None:
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user if (user, password) == self.credentials else None


def _handler(jira: FakeJira) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            user = jira.user_of(self.headers.get("Authorization", ""))
            try:
                if user is None:
                    raise JiraError(401, ["You are not authenticated."])
                body = json.loads(raw) if raw else {}
                with jira.lock:
                    status, answer = jira.handle(method, url.path, parse_qs(url.query), body, user)
            except JiraError as error:
                status, answer = error.status, error.body
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

    return Handler


@contextmanager
def running_jira(jira: FakeJira) -> Iterator[FakeJira]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(jira))
    jira.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield jira
    finally:
        server.shutdown()
        server.server_close()
