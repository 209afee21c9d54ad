//! Completes the OpenAPI document that utoipa derives from the handlers' annotations, from what
//! the kernel knows about every route, so that no area has to repeat it:
//! - the security schemes (partner OAuth 2.0 client credentials, the session cookie, device
//!   keys) and, per operation, the one its declared [`Access`] requires;
//! - the error responses the kernel itself can give on any operation (malformed requests, the
//!   guard's 401/403, 404, 413, 415, 422, 429, 500), all as `application/problem+json`;
//! - a description on every response, as OpenAPI 3.1 requires.
//!
//! The document is edited as JSON, after utoipa has built it.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::access::{Access, AccessTable};
use crate::identity::partner;
use crate::identity::session::SESSION_COOKIE;

const PROBLEM: &str = "application/problem+json";

/// The text of a standard status, for responses declared without a description.
fn status_text(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted: queued for processing",
        "204" => "Done; no content",
        "400" => "The request could not be read (malformed JSON, form, query or path parameter)",
        "401" => "Not authenticated: no session, or a missing, expired or revoked bearer token or key",
        "403" => {
            "Not allowed: the caller lacks the role or scope, or a cookie-authenticated change lacks its CSRF token"
        }
        "404" => "Not found",
        "409" => "Conflict with the current state (e.g. full, already taken, changed by someone else)",
        "413" => "The request body is too large",
        "415" => "Unsupported content type",
        "422" => "Invalid fields: `errors` lists each field with a stable code and bilingual messages",
        "429" => "Too many requests: slow down and retry after the `Retry-After` seconds",
        "500" => "Unexpected server error: the `request_id` identifies it in the logs",
        "503" => "Not ready (e.g. the database is unreachable)",
        _ => "See the problem's `code`",
    }
}

fn problem_response(status: &str) -> Value {
    json!({
        "description": status_text(status),
        "content": { PROBLEM: { "schema": { "$ref": "#/components/schemas/ProblemBody" } } }
    })
}

/// The security schemes every document carries.
fn security_schemes() -> Value {
    let scopes: Map<String, Value> =
        partner::SCOPES.iter().map(|s| (s.to_string(), Value::String(format!("Partner scope `{s}`")))).collect();
    json!({
        "partner_oauth2": {
            "type": "oauth2",
            "description": "Partner systems: OAuth 2.0 client credentials (RFC 6749 §4.4). Ask for a client on /staff/partners; post the client id and secret to /oauth/token and send the token as `Authorization: Bearer …`.",
            "flows": { "clientCredentials": { "tokenUrl": "/oauth/token", "scopes": scopes } }
        },
        "session_cookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": SESSION_COOKIE,
            "description": "A signed-in citizen's or staff member's session (the web pages' sign-in). Changes also need the CSRF token in the `X-CSRF-Token` header."
        },
        "device_key": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Device-Key",
            "description": "A registered device's own key (e.g. a fridge sensor)."
        }
    })
}

fn security_for(access: Access) -> Option<Value> {
    match access {
        Access::Public => None,
        Access::Partner(scope) => Some(json!([{ "partner_oauth2": [scope] }])),
        Access::Citizen | Access::Staff(_) => Some(json!([{ "session_cookie": [] }])),
        Access::Device => Some(json!([{ "device_key": [] }])),
    }
}

/// The error statuses the kernel can answer on this operation, whatever its handler declares.
fn kernel_errors(path: &str, method: &str, op: &Value, access: Access) -> Vec<&'static str> {
    let has_params = op.get("parameters").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
    let has_body = op.get("requestBody").is_some();
    let changes = !matches!(method, "get" | "head" | "options");
    let mut out = vec!["401", "500"]; // a bad bearer token is refused on any route
    if has_params || has_body {
        out.extend(["400", "422"]);
    }
    if access != Access::Public || changes {
        out.push("403");
    }
    if path.contains('{') {
        out.push("404");
    }
    if has_body {
        out.extend(["413", "415"]);
    }
    if matches!(access, Access::Partner(_)) || path.starts_with("/oauth/") {
        out.push("429");
    }
    out
}

fn complete_operation(path: &str, method: &str, op: &mut Value, access: Access) {
    let errors = kernel_errors(path, method, op, access);
    let Some(obj) = op.as_object_mut() else { return };
    // The declared access is the truth: it replaces whatever an annotation said.
    match security_for(access) {
        Some(sec) => {
            obj.insert("security".into(), sec);
        }
        None => {
            obj.remove("security");
        }
    }
    let responses = obj.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else { return };
    for (status, res) in responses.iter_mut() {
        let Some(res) = res.as_object_mut() else { continue };
        if res.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
            res.insert("description".into(), Value::String(status_text(status).into()));
        }
        // Errors are problem+json wherever the handler declared them.
        if status.starts_with('4') || status.starts_with('5') {
            let schema = res
                .get("content")
                .and_then(|c| c.as_object())
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .cloned()
                .unwrap_or_else(|| json!({ "$ref": "#/components/schemas/ProblemBody" }));
            res.insert("content".into(), json!({ PROBLEM: { "schema": schema } }));
        }
    }
    for status in errors {
        responses.entry(status).or_insert_with(|| problem_response(status));
    }
}

/// Completes `doc` (utoipa's document as JSON) with the security schemes and, per operation, its
/// security requirement, the kernel's error responses and response descriptions.
pub fn complete(doc: &mut Value, table: &AccessTable) {
    if let Some(components) = doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| json!({})))
        && let Some(c) = components.as_object_mut()
    {
        c.insert("securitySchemes".into(), security_schemes());
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let access = table.0.get(path).copied().unwrap_or(Access::Public);
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if is_method(method) {
                complete_operation(path, method, op, access);
            }
        }
    }
}

/// The methods each documented path answers (lower case), for the guard's 405 answers.
pub fn methods(doc: &Value) -> BTreeMap<String, Vec<String>> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else { return BTreeMap::new() };
    paths
        .iter()
        .map(|(path, item)| {
            let ms = item.as_object().map(|o| o.keys().filter(|k| is_method(k)).cloned().collect()).unwrap_or_default();
            (path.clone(), ms)
        })
        .collect()
}

fn is_method(k: &str) -> bool {
    matches!(k, "get" | "put" | "post" | "delete" | "patch" | "head" | "options")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::access::Rule;

    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {
                "/api/v1/things/{id}": { "post": {
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object" } } } },
                    "responses": { "200": {}, "409": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ProblemBody" } } } } }
                } },
                "/api/v1/open": { "get": { "responses": { "200": { "description": "" } } } }
            }
        })
    }

    #[test]
    fn operations_gain_security_errors_and_descriptions() {
        let table = AccessTable::from_rules(&[
            Rule { path: "/api/v1/things/{id}".into(), access: Access::Partner("sandbox:read") },
            Rule { path: "/api/v1/open".into(), access: Access::Public },
        ]);
        let mut d = doc();
        complete(&mut d, &table);
        let op = &d["paths"]["/api/v1/things/{id}"]["post"];
        assert_eq!(op["security"], json!([{ "partner_oauth2": ["sandbox:read"] }]));
        let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        for s in ["200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "500"] {
            assert!(statuses.iter().any(|k| *k == s), "{s} missing from {statuses:?}");
        }
        assert_eq!(op["responses"]["200"]["description"], "OK");
        // A declared error keeps its schema, as problem+json.
        assert!(op["responses"]["409"]["content"][PROBLEM].is_object());
        assert!(op["responses"]["409"]["content"].get("application/json").is_none());
        let open = &d["paths"]["/api/v1/open"]["get"];
        assert!(open.get("security").is_none());
        assert_eq!(open["responses"]["200"]["description"], "OK");
        // Nothing to read, no guard: only a bad bearer token or a crash.
        let open_statuses: Vec<&String> = open["responses"].as_object().unwrap().keys().collect();
        assert_eq!(open_statuses, ["200", "401", "500"]);
        let flows = &d["components"]["securitySchemes"]["partner_oauth2"]["flows"]["clientCredentials"];
        assert_eq!(flows["tokenUrl"], "/oauth/token");
        assert!(flows["scopes"]["sandbox:read"].is_string());
        let m = methods(&d);
        assert_eq!(m["/api/v1/things/{id}"], ["post"]);
        assert_eq!(m["/api/v1/open"], ["get"]);
    }
}
