//! Service tasks: Rust functions registered by name, which a definition's service tasks call
//! (`phos:service="workflow.noop"`). Other areas' service tasks (declared through
//! `kernel::process`) become jobs the area handles.

use serde_json::Value;

use super::Registry;

/// The names of the registered service tasks.
pub const NAMES: &[&str] = &["workflow.noop", "workflow.stamp"];

/// Calls the service registered as `name` with the instance variables.
pub fn call(name: &str, vars: &mut Value) -> Result<(), String> {
    match name {
        // Does nothing (an automatic step that only marks progress).
        "workflow.noop" => Ok(()),
        // Counts its calls in the variable `stamps`.
        "workflow.stamp" => {
            let n = vars.get("stamps").and_then(Value::as_i64).unwrap_or(0);
            if let Some(o) = vars.as_object_mut() {
                o.insert("stamps".into(), Value::from(n + 1));
            }
            Ok(())
        }
        // An area's own service task: the engine moves on and the area's job does the work
        // (enqueued by `instances::service::call_areas` in the step's transaction).
        other if kernel::process::is_external(other) => Ok(()),
        other => Err(format!("no service is registered as {other:?}")),
    }
}

/// What definitions may name: these services and the staff roles.
pub fn registry() -> Registry {
    let external = kernel::process::external_services();
    Registry::new(
        NAMES.iter().copied().chain(external.iter().map(String::as_str)),
        kernel::identity::Role::ALL.iter().map(|r| r.code()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_services_run_and_others_are_refused() {
        let mut v = serde_json::json!({});
        call("workflow.stamp", &mut v).unwrap();
        call("workflow.stamp", &mut v).unwrap();
        assert_eq!(v["stamps"], 2);
        assert!(call("workflow.noop", &mut v).is_ok());
        assert!(call("nope", &mut v).unwrap_err().contains("nope"));
        let r = registry();
        assert!(r.services.contains("workflow.noop") && r.roles.contains("inspector"));
    }
}
