#!/usr/bin/env python3
"""Writes the OpenAPI document of the REST API, Sources/BanyanServer/Resources/openapi.json (served by the server; docs/openapi.json links to it)."""
import json, os
root = os.path.join(os.path.dirname(__file__), "..")
ref = lambda n: {"$ref": f"#/components/schemas/{n}"}
def err(desc): return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
def ok(desc, schema): return {"description": desc, "content": {"application/json": {"schema": ref(schema)}}}
branch = {"name": "branch", "in": "path", "required": True, "schema": {"type": "string"}, "description": "Branch name, percent-encoded ('/' as %2F).", "example": "main"}
key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}, "description": "Key, /-separated, each segment percent-encoded.", "example": "greeting"}
unauthorized = err("Missing or wrong token (code unauthorized).")
unauthorized["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Basic and Bearer challenges, so git asks for credentials."}}
common = {"400": err("Bad input (invalid key, name, revision, header or body)."), "401": unauthorized}
def resp(**codes):
    out = dict(common)
    out.update(codes)
    return out
# Every write: read-only servers refuse it, bodies are bounded (gzip bodies after inflating), and a
# branch another writer holds or keeps moving is a conflict.
def writes(**codes):
    out = {"403": err("The server is read-only (code readOnly), or a browser page of another site sent the write (code crossOrigin)."), "409": err("The branch is locked or kept moving under concurrent writers."),
           "413": err("The body is over the limit, before or after gzip inflating (code limitExceeded)."),
           "415": err("A Content-Encoding other than gzip or identity.")}
    out.update(codes)
    return resp(**out)
commit = ok("The new head.", "CommitResult")
at = {"name": "at", "in": "query", "schema": {"type": "string"}, "description": "A revision to read instead of the branch's head."}
doc = {
  "openapi": "3.0.3",
  "info": {"title": "Banyan REST API", "version": "1.0.0", "description": "Versioned key-value store over HTTP. Every error is {\"error\": {\"code\", \"message\"}} (docs/http-api.md lists the codes)."},
  "servers": [{"url": "/"}],
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "basic": {"type": "http", "scheme": "basic", "description": "Any user name, the token as password."}},
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}},
        "conflicts": {"type": "array", "items": ref("Conflict")}}},
      "Conflict": {"type": "object", "required": ["key", "kind"], "properties": {
        "key": {"type": "string"}, "kind": {"type": "string"}, "base": {"type": "string", "nullable": True},
        "ours": {"type": "string", "nullable": True}, "theirs": {"type": "string", "nullable": True}, "detail": {"type": "string", "nullable": True}}},
      "Branch": {"type": "object", "required": ["name", "default"], "properties": {
        "name": {"type": "string"}, "head": {"type": "string", "nullable": True}, "default": {"type": "boolean"}}},
      "Branches": {"type": "object", "required": ["branches"], "properties": {"branches": {"type": "array", "items": ref("Branch")}}},
      "CreateBranch": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "from": {"type": "string"}}},
      "CommitResult": {"type": "object", "required": ["commit"], "properties": {"commit": {"type": "string", "nullable": True}}},
      "Entry": {"type": "object", "required": ["name", "key", "kind", "id"], "properties": {
        "name": {"type": "string"}, "key": {"type": "string"}, "kind": {"type": "string", "enum": ["value", "directory"]}, "id": {"type": "string"}}},
      "List": {"type": "object", "required": ["entries"], "properties": {"entries": {"type": "array", "items": ref("Entry")}}},
      "CommitRequest": {"type": "object", "properties": {
        "message": {"type": "string"}, "author": {"type": "string", "description": "Name <email>"},
        "set": {"type": "object", "additionalProperties": {"type": "string"}},
        "remove": {"type": "array", "items": {"type": "string"}}, "expect": {"type": "string", "description": "The commit the branch must be at (else 412)."}}},
      "Signature": {"type": "object", "required": ["name", "email", "time", "timeZoneMinutes"], "properties": {"name": {"type": "string"}, "email": {"type": "string"}, "time": {"type": "integer"}, "timeZoneMinutes": {"type": "integer"}}},
      "LogEntry": {"type": "object", "required": ["id", "parents", "tree", "author", "committer", "message"], "properties": {
        "id": {"type": "string"}, "parents": {"type": "array", "items": {"type": "string"}}, "tree": {"type": "string"},
        "author": ref("Signature"), "committer": ref("Signature"), "message": {"type": "string"}}},
      "Log": {"type": "object", "required": ["commits"], "properties": {"commits": {"type": "array", "items": ref("LogEntry")}}},
      "Change": {"type": "object", "required": ["key", "kind"], "properties": {
        "key": {"type": "string"}, "kind": {"type": "string", "enum": ["added", "removed", "changed"]},
        "old": {"type": "string", "nullable": True}, "new": {"type": "string", "nullable": True}}},
      "Diff": {"type": "object", "required": ["from", "to", "changes"], "properties": {
        "from": {"type": "string", "nullable": True, "description": "Null when 'to' is a root commit diffed against nothing."},
        "to": {"type": "string"}, "changes": {"type": "array", "items": ref("Change")}}},
      "Info": {"type": "object", "required": ["readOnly"], "properties": {
        "readOnly": {"type": "boolean", "description": "Whether the server refuses writes."},
        "defaultBranch": {"type": "string", "nullable": True, "description": "The branch HEAD names, when it exists."}}},
      "Compare": {"type": "object", "required": ["base", "head", "ahead", "behind"], "properties": {
        "base": {"type": "string"}, "head": {"type": "string"}, "mergeBase": {"type": "string", "nullable": True},
        "ahead": {"type": "integer", "minimum": 0, "description": "Commits of head that base lacks."},
        "behind": {"type": "integer", "minimum": 0, "description": "Commits of base that head lacks."}}},
      "MergePreviewKey": {"type": "object", "required": ["key", "result"], "properties": {
        "key": {"type": "string"}, "base": {"type": "string", "nullable": True}, "ours": {"type": "string", "nullable": True},
        "theirs": {"type": "string", "nullable": True},
        "result": {"type": "string", "enum": ["ours", "theirs", "same", "merged", "conflict"],
                   "description": "ours/theirs: that side's version (one side changed the key, or the conflict policy chose it); same: an identical change; merged: the strategy combined both changes; conflict: the merge stops here."},
        "strategy": {"type": "string", "nullable": True}, "detail": {"type": "string", "nullable": True},
        "merged": {"type": "string", "nullable": True, "description": "The strategy's result, when it is UTF-8 text."}}},
      "MergePreview": {"type": "object", "required": ["source", "target", "outcome", "keys"], "properties": {
        "source": {"type": "string", "description": "The source commit."}, "target": {"type": "string", "description": "The target's head."},
        "base": {"type": "string", "nullable": True, "description": "The merge base the keys are listed against."},
        "outcome": {"type": "string", "enum": ["upToDate", "fastForward", "merged", "conflicts"]},
        "keys": {"type": "array", "items": ref("MergePreviewKey")}}},
      "MergeRequest": {"type": "object", "required": ["source", "target"], "properties": {
        "source": {"type": "string"}, "target": {"type": "string"}, "onConflict": {"type": "string", "enum": ["fail", "ours", "theirs", "record"],
        "description": "record: merge anyway, keep the newer side's version of each conflicting key, and record the conflicts in the conflict inbox."},
        "message": {"type": "string"}, "author": {"type": "string"}}},
      "MergeResult": {"type": "object", "required": ["outcome"], "properties": {
        "outcome": {"type": "string", "enum": ["upToDate", "fastForward", "merged", "recorded"]}, "commit": {"type": "string", "nullable": True},
        "recorded": {"type": "array", "items": {"type": "string"}, "description": "For outcome recorded: the keys recorded in the conflict inbox."}}},
      "ConflictRecord": {"type": "object", "required": ["branch", "key", "kind", "locations", "oursCommit", "theirsCommit", "mergeCommit", "kept"], "properties": {
        "branch": {"type": "string"}, "key": {"type": "string"},
        "kind": {"type": "string", "enum": ["contentConflict", "addAdd", "modifyDelete", "deleteModify", "fileDirectory"]},
        "strategy": {"type": "string", "nullable": True}, "detail": {"type": "string", "nullable": True},
        "locations": {"type": "array", "items": {"type": "string"}},
        "base": {"type": "string", "nullable": True}, "ours": {"type": "string", "nullable": True}, "theirs": {"type": "string", "nullable": True},
        "oursCommit": {"type": "string"}, "theirsCommit": {"type": "string"}, "mergeCommit": {"type": "string"},
        "kept": {"type": "string", "enum": ["ours", "theirs"], "description": "The version the branch holds until the conflict is resolved: the side whose commit is newer."}}},
      "Conflicts": {"type": "object", "required": ["conflicts"], "properties": {"conflicts": {"type": "array", "items": ref("ConflictRecord")}}},
      "ResolveConflict": {"type": "object", "description": "Exactly one of take, value or remove.", "properties": {
        "take": {"type": "string", "enum": ["ours", "theirs", "base"]}, "value": {"type": "string", "description": "New UTF-8 text for the key."},
        "remove": {"type": "boolean", "description": "true: leave the key absent."}, "author": {"type": "string", "description": "Name <email>"}}},
    }},
  "security": [{}, {"bearer": []}, {"basic": []}],
  "paths": {
    "/api/v1/openapi.json": {"get": {"operationId": "openapi", "responses": {
      "200": {"description": "This document.", "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}},
      "401": unauthorized}}},
    "/api/v1/info": {"get": {"operationId": "info", "responses": resp(**{"200": ok("Whether the server is read-only, and the default branch.", "Info")})}},
    "/api/v1/branches": {
      "get": {"operationId": "listBranches", "responses": resp(**{"200": ok("All branches.", "Branches")})},
      "post": {"operationId": "createBranch", "requestBody": {"required": True, "content": {"application/json": {"schema": ref("CreateBranch")}}},
               "responses": writes(**{"201": ok("Created.", "Branch"), "404": err("The start revision does not exist."), "409": err("The branch exists.")})}},
    "/api/v1/branches/{branch}": {"delete": {"operationId": "deleteBranch", "parameters": [branch],
      "responses": writes(**{"204": {"description": "Deleted."}, "404": err("No such branch.")})}},
    "/api/v1/kv/{branch}/{key}": {
      "parameters": [branch, key],
      "get": {"operationId": "getValue", "parameters": [{"name": "at", "in": "query", "schema": {"type": "string"}, "description": "A revision to read instead of the head."}],
              "responses": resp(**{"200": {"description": "The value bytes; ETag is the commit read. Never run as a page: nosniff, and a sandbox CSP.",
                                            "headers": {"ETag": {"schema": {"type": "string"}},
                                                        "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}},
                                                        "Content-Security-Policy": {"schema": {"type": "string", "enum": ["sandbox"]}}},
                                            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                                   "404": err("No such branch or key.")})},
      "put": {"operationId": "putValue", "parameters": [
                {"name": "If-Match", "in": "header", "schema": {"type": "string"}, "description": "The commit the branch must be at (else 412)."},
                {"name": "X-Banyan-Message", "in": "header", "schema": {"type": "string"}},
                {"name": "X-Banyan-Author", "in": "header", "schema": {"type": "string"}}],
              "requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
              "responses": writes(**{"200": commit, "409": err("A value on the key's path is not a directory, or the branch is locked."), "412": err("The branch moved, or If-Match is not a commit id.")})},
      "delete": {"operationId": "deleteValue", "parameters": [{"name": "If-Match", "in": "header", "schema": {"type": "string"}}],
              "responses": writes(**{"200": commit, "404": err("No such key."), "412": err("The branch moved, or If-Match is not a commit id.")})}},
    "/api/v1/list/{branch}": {"get": {"operationId": "listRoot", "parameters": [branch, at],
      "responses": resp(**{"200": ok("The root's children; ETag is the commit listed.", "List"), "404": err("No such branch or revision.")})}},
    "/api/v1/list/{branch}/{prefix}": {"get": {"operationId": "listPrefix", "parameters": [branch, {"name": "prefix", "in": "path", "required": True, "schema": {"type": "string"}, "example": "notes"}, at],
      "responses": resp(**{"200": ok("The directory's children; ETag is the commit listed.", "List"), "404": err("No such branch, revision or directory.")})}},
    "/api/v1/commit/{branch}": {"post": {"operationId": "commit", "parameters": [branch],
      "requestBody": {"required": True, "content": {"application/json": {"schema": ref("CommitRequest")}}},
      "responses": writes(**{"200": commit, "409": err("A key's path is not a directory, or the branch is locked."), "412": err("The branch is not at 'expect'.")})}},
    "/api/v1/log/{branch}": {"get": {"operationId": "log", "parameters": [branch, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "key", "in": "query", "schema": {"type": "string"}, "description": "Only the commits that changed this key (value or directory) against their first parent."},
        {"name": "at", "in": "query", "schema": {"type": "string"}, "description": "Start at this revision instead of the branch's head."}],
      "responses": resp(**{"200": ok("Commits, newest first.", "Log"), "404": err("No such branch or revision.")})}},
    "/api/v1/diff": {"get": {"operationId": "diff", "parameters": [
        {"name": "from", "in": "query", "schema": {"type": "string"}, "description": "Default: the first parent of 'to' (a root commit: every key added)."},
        {"name": "to", "in": "query", "required": True, "schema": {"type": "string"}}],
      "responses": resp(**{"200": ok("Key-level changes.", "Diff"), "404": err("A revision does not exist.")})}},
    "/api/v1/compare": {"get": {"operationId": "compare", "parameters": [
        {"name": "base", "in": "query", "required": True, "schema": {"type": "string"}, "example": "main"},
        {"name": "head", "in": "query", "required": True, "schema": {"type": "string"}, "example": "dev"}],
      "responses": resp(**{"200": ok("How far head is ahead of and behind base.", "Compare"), "404": err("A revision does not exist.")})}},
    "/api/v1/merge": {"post": {"operationId": "merge", "requestBody": {"required": True, "content": {"application/json": {"schema": ref("MergeRequest")}}},
      "responses": writes(**{"200": ok("Merged, fast-forwarded or up to date.", "MergeResult"), "404": err("No such branch."),
                           "409": err("Conflicts; the target did not move. The body carries them.")})}},
    "/api/v1/merge/preview": {"get": {"operationId": "mergePreview", "parameters": [
        {"name": "source", "in": "query", "required": True, "schema": {"type": "string"}, "example": "dev"},
        {"name": "target", "in": "query", "required": True, "schema": {"type": "string"}, "example": "main"},
        {"name": "onConflict", "in": "query", "schema": {"type": "string", "enum": ["fail", "ours", "theirs"]}}],
      "responses": resp(**{"200": ok("What the merge would do, key by key; nothing is stored or moved.", "MergePreview"),
                           "404": err("No such branch or revision.")})}},
    "/api/v1/conflicts": {"get": {"operationId": "listConflicts", "parameters": [{"name": "branch", "in": "query", "schema": {"type": "string"}, "description": "Only this branch's conflicts."}],
      "responses": resp(**{"200": ok("The open conflicts of the conflict inbox (refs/banyan/conflicts), by branch and key.", "Conflicts")})}},
    "/api/v1/conflicts/{branch}/{key}": {
      "parameters": [branch, key],
      "get": {"operationId": "getConflict", "responses": resp(**{"200": ok("The conflict's record.", "ConflictRecord"), "404": err("No recorded conflict at the key (code keyNotFound).")})},
      "post": {"operationId": "resolveConflict", "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ResolveConflict")}}},
               "responses": writes(**{"200": commit, "404": err("No recorded conflict at the key (code keyNotFound).")})}},
    "/api/v1/watch/{branch}": {"get": {"operationId": "watch", "parameters": [branch,
        {"name": "prefix", "in": "query", "schema": {"type": "string"}},
        {"name": "Last-Event-ID", "in": "header", "schema": {"type": "string"}, "description": "Resume after this commit."}],
      "responses": resp(**{"200": {"description": "Server-Sent Events: one 'update' event per commit, id = commit, data = {branch, old, new, changes}.",
                                   "content": {"text/event-stream": {"schema": {"type": "string"}}}}, "404": err("No such branch.")})}},
  }}
text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
# The server's resource; docs/openapi.json is a link to it.
open(os.path.join(root, "Sources/BanyanServer/Resources/openapi.json"), "w").write(text)
