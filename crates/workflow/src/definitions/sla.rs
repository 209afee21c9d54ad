//! SLA clocks declared in a definition (PHOS extension, namespace `urn:phos:bpmn:1`), inside the
//! process's `<extensionElements>`:
//!
//! ```xml
//! <phos:sla id="decision" name="Decision" nameZh="決定" duration="P10D" calendar="business"
//!           startAt="Task_register" pauseAt="Wait_reply,Wait_documents" stopAt="End_done"
//!           escalateTo="clinic_manager"/>
//! ```
//!
//! - `duration`: as a timer's (ISO-8601 or `10 business days`); `calendar="business"` counts
//!   business days or hours on the Hong Kong calendar.
//! - `startAt`: the clock starts when a token enters that node (omitted: when the instance
//!   starts).
//! - `pauseAt`: comma-separated nodes; the clock is paused while the instance waits at any of
//!   them, and resumes when it waits at none.
//! - `stopAt`: the clock stops when a token enters that node (omitted: when the instance ends);
//!   it also stops when the instance ends or is cancelled.
//! - `escalateTo`: the role told at 75 % and 100 % (required).
//!
//! Deploy checks (codes in [`super::rules::CODES`]): `sla_missing_id`, `sla_duplicate_id`,
//! `sla_unknown_node`, `sla_bad_duration`, `sla_no_escalation`, `sla_unknown_escalation`.

use super::timer::{self, Wait};
use super::{Definition, Problem, Registry};

/// One SLA of a definition.
#[derive(Clone, Debug, PartialEq)]
pub struct SlaDef {
    pub id: String,
    pub name: Option<String>,
    pub name_zh: Option<String>,
    /// The duration as written (kept for the report of a bad one).
    pub duration: String,
    pub wait: Result<Wait, String>,
    pub start_at: Option<String>,
    pub pause_at: Vec<String>,
    pub stop_at: Option<String>,
    pub escalate_to: Option<String>,
}

impl SlaDef {
    /// The name to show ("zh" takes `nameZh` when there is one), falling back to the id.
    pub fn label(&self, zh: bool) -> &str {
        let en = self.name.as_deref().unwrap_or(&self.id);
        if zh { self.name_zh.as_deref().unwrap_or(en) } else { en }
    }
}

/// Reads a `<phos:sla>` element's attributes (`get` gives an attribute's value by name).
pub fn read(get: &dyn Fn(&str) -> Option<String>) -> SlaDef {
    let list = |v: Option<String>| -> Vec<String> {
        v.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
    };
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let duration = get("duration").unwrap_or_default();
    let business = get("calendar").as_deref() == Some("business");
    let wait = if duration.trim().is_empty() {
        Err("the SLA has no duration".to_string())
    } else {
        timer::parse(&duration, business)
    };
    SlaDef {
        id: get("id").unwrap_or_default(),
        name: nonempty(get("name")),
        name_zh: nonempty(get("nameZh")),
        duration,
        wait,
        start_at: nonempty(get("startAt")),
        pause_at: list(get("pauseAt")),
        stop_at: nonempty(get("stopAt")),
        escalate_to: nonempty(get("escalateTo")),
    }
}

/// Checks the SLAs of a definition: ids, nodes, durations and escalation targets.
pub fn validate(def: &Definition, reg: &Registry) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for s in &def.slas {
        if s.id.is_empty() {
            out.push(Problem::new("sla_missing_id", None, "a <phos:sla> has no id"));
        } else if !seen.insert(s.id.as_str()) {
            out.push(Problem::new("sla_duplicate_id", Some(&s.id), format!("the SLA id {:?} is used twice", s.id)));
        }
        let el = (!s.id.is_empty()).then_some(s.id.as_str());
        let nodes = s.start_at.iter().chain(&s.pause_at).chain(&s.stop_at);
        for n in nodes.filter(|n| def.node(n).is_none()) {
            out.push(Problem::new("sla_unknown_node", el, format!("the SLA names {n:?}, which is no node")));
        }
        if let Err(e) = &s.wait {
            out.push(Problem::new("sla_bad_duration", el, e.clone()));
        }
        match &s.escalate_to {
            None => {
                out.push(Problem::new("sla_no_escalation", el, "the SLA names no role to escalate to (escalateTo)"))
            }
            Some(r) if !reg.roles.contains(r) => {
                out.push(Problem::new("sla_unknown_escalation", el, format!("the role {r:?} does not exist")))
            }
            Some(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{PHOS_NS, check};
    use super::*;

    fn process(slas: &str) -> String {
        format!(
            "<definitions xmlns='{}' xmlns:phos='{PHOS_NS}'><process id='p' isExecutable='true'>\
             <extensionElements>{slas}</extensionElements>\
             <startEvent id='s'/><userTask id='t' phos:candidateRoles='inspector'/>\
             <intermediateCatchEvent id='w'><messageEventDefinition messageRef='reply'/></intermediateCatchEvent>\
             <endEvent id='e'/>\
             <sequenceFlow id='1' sourceRef='s' targetRef='t'/><sequenceFlow id='2' sourceRef='t' targetRef='w'/>\
             <sequenceFlow id='3' sourceRef='w' targetRef='e'/></process></definitions>",
            "http://www.omg.org/spec/BPMN/20100524/MODEL"
        )
    }

    fn registry() -> Registry {
        Registry::new([], ["inspector", "clinic_manager"])
    }

    #[test]
    fn an_sla_reads_from_the_extension_elements() {
        let xml = process(
            "<phos:sla id='decision' name='Decision' nameZh='決定' duration='P10D' calendar='business' \
             startAt='t' pauseAt='w, t' stopAt='e' escalateTo='clinic_manager'/>\
             <phos:sla id='reply' duration='PT48H' escalateTo='inspector'/>",
        );
        let d = check(&xml, &registry()).unwrap_or_else(|p| panic!("{p:#?}"));
        assert_eq!(d.slas.len(), 2);
        let s = &d.slas[0];
        assert_eq!((s.label(false), s.label(true)), ("Decision", "決定"));
        assert_eq!(s.wait, Ok(Wait::BusinessDays(10)));
        assert_eq!((s.start_at.as_deref(), s.stop_at.as_deref()), (Some("t"), Some("e")));
        assert_eq!(s.pause_at, ["w", "t"]);
        assert_eq!(s.escalate_to.as_deref(), Some("clinic_manager"));
        let r = &d.slas[1];
        assert_eq!((r.wait.clone(), r.start_at.clone(), r.label(true)), (Ok(Wait::Calendar(48 * 3600)), None, "reply"));
    }

    #[test]
    fn bad_slas_are_refused_with_every_problem() {
        let xml = process(
            "<phos:sla id='a' duration='P1M' startAt='nowhere' pauseAt='w,gone' escalateTo='wizard'/>\
             <phos:sla id='a' duration='P1D'/><phos:sla duration=''/>",
        );
        let problems = check(&xml, &registry()).unwrap_err();
        let got: Vec<(&str, Option<&str>)> = problems.iter().map(|p| (p.code, p.element.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("sla_unknown_node", Some("a")),
                ("sla_unknown_node", Some("a")),
                ("sla_bad_duration", Some("a")),
                ("sla_unknown_escalation", Some("a")),
                ("sla_duplicate_id", Some("a")),
                ("sla_no_escalation", Some("a")),
                ("sla_missing_id", None),
                ("sla_bad_duration", None),
                ("sla_no_escalation", None),
            ]
        );
        assert!(problems[0].message.contains("nowhere") && problems[1].message.contains("gone"));
        assert!(problems[2].message.contains("months vary"));
    }
}
