//! XES (IEEE 1849-2016) event logs: a streaming reader over quick-xml that never builds a
//! document tree (memory is bounded by the largest trace), and a streaming writer.
//!
//! Reading rules (the `phos workflow dfg` contract): each `<trace>` is one case, whatever its
//! name; `concept:name` of an event is its activity; every event counts whatever its
//! `lifecycle:transition`; `time:timestamp` is required, its UTC offset honoured (none means
//! UTC); XML entities and character references are decoded. Only attributes that are direct
//! children of the `<event>` (or `<trace>`) count: nested meta-attributes and `<global>`
//! defaults are ignored.

use std::io::{BufRead, Write};

use quick_xml::events::{BytesStart, Event as Xml};

use super::{Event, LogError, Trace, format_timestamp, parse_timestamp};

/// The attribute keys this reader takes from events and traces.
const NAME: &[u8] = b"concept:name";
const TIME: &[u8] = b"time:timestamp";
const LIFECYCLE: &[u8] = b"lifecycle:transition";
const ROLE: &[u8] = b"org:role";
const RESOURCE: &[u8] = b"org:resource";

#[derive(Default)]
struct PartialEvent {
    activity: Option<String>,
    time: Option<(String, Option<i64>)>,
    lifecycle: Option<String>,
    role: Option<String>,
    resource: Option<String>,
}

/// Where we are, for messages: "trace 3 ("case-17"), event 2 ("Approve")".
fn place(trace_no: u64, trace_name: &Option<String>, event_no: Option<(u64, &Option<String>)>) -> String {
    let mut s = format!("trace {trace_no}");
    if let Some(n) = trace_name {
        s.push_str(&format!(" ({n:?})"));
    }
    if let Some((no, name)) = event_no {
        s.push_str(&format!(", event {no}"));
        if let Some(n) = name {
            s.push_str(&format!(" ({n:?})"));
        }
    }
    s
}

/// The decoded `key` and `value` attributes of an XES attribute element (`<string key=… value=…/>`).
fn key_value(e: &BytesStart, pos: u64) -> Result<(Vec<u8>, Option<String>), LogError> {
    let mut key = Vec::new();
    let mut value = None;
    for a in e.attributes() {
        let a = a.map_err(|err| LogError::Invalid(format!("malformed XML at byte {pos}: {err}")))?;
        match a.key.as_ref() {
            b"key" => key = a.value.into_owned(),
            b"value" => {
                let v = a
                    .unescape_value()
                    .map_err(|err| LogError::Invalid(format!("malformed XML at byte {pos}: {err}")))?;
                value = Some(v.into_owned());
            }
            _ => {}
        }
    }
    Ok((key, value))
}

/// Reads an XES log, handing each trace (in file order, events not yet sorted, empty traces
/// included) to `on_trace`.
pub fn read<R: BufRead>(input: R, on_trace: &mut dyn FnMut(Trace)) -> Result<(), LogError> {
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::with_capacity(4096);
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut trace: Option<(usize, Trace)> = None;
    let mut event: Option<(usize, PartialEvent)> = None;
    let mut trace_no = 0u64;
    let mut event_no = 0u64;
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| LogError::Invalid(format!("malformed XML at byte {}: {e}", reader.error_position())))?;
        let (start, empty) = match &ev {
            Xml::Start(e) => (Some(e), false),
            Xml::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let element_depth = depth + 1;
            if !empty {
                depth += 1;
            }
            let local = e.local_name();
            let name = local.as_ref();
            if !root_seen {
                root_seen = true;
                if name != b"log" {
                    return Err(LogError::Invalid(format!(
                        "not an XES log: the root element is <{}>, not <log>",
                        String::from_utf8_lossy(name)
                    )));
                }
                continue;
            }
            match (&mut trace, &mut event) {
                (None, _) if name == b"trace" => {
                    trace_no += 1;
                    event_no = 0;
                    if empty {
                        on_trace(Trace::default());
                    } else {
                        trace = Some((element_depth, Trace::default()));
                    }
                }
                (Some((_, t)), None) if name == b"event" => {
                    event_no += 1;
                    if empty {
                        let at = place(trace_no, &t.name, Some((event_no, &None)));
                        return Err(LogError::Invalid(format!("{at}: the event has no concept:name (activity)")));
                    }
                    event = Some((element_depth, PartialEvent::default()));
                }
                (Some((_, _)), Some((d, p))) if element_depth == *d + 1 => {
                    let (key, value) = key_value(e, pos)?;
                    let Some(value) = value else { continue };
                    match key.as_slice() {
                        NAME => p.activity = Some(value),
                        TIME => {
                            let us = parse_timestamp(&value);
                            p.time = Some((value, us));
                        }
                        LIFECYCLE => p.lifecycle = Some(value),
                        ROLE => p.role = Some(value),
                        RESOURCE => p.resource = Some(value),
                        _ => {}
                    }
                }
                (Some((d, t)), None) if element_depth == *d + 1 => {
                    let (key, value) = key_value(e, pos)?;
                    if key == NAME {
                        t.name = value;
                    }
                }
                _ => {}
            }
            continue;
        }
        match ev {
            Xml::End(_) => {
                let element_depth = depth;
                depth = depth.saturating_sub(1);
                if let Some((d, _)) = &event
                    && *d == element_depth
                {
                    let (_, p) = event.take().expect("event open");
                    let (_, t) = trace.as_mut().expect("trace open");
                    let at = || place(trace_no, &t.name, Some((event_no, &p.activity)));
                    let Some(activity) = p.activity.clone() else {
                        return Err(LogError::Invalid(format!("{}: the event has no concept:name (activity)", at())));
                    };
                    let at_us = match &p.time {
                        None => {
                            return Err(LogError::Invalid(format!("{}: the event has no time:timestamp", at())));
                        }
                        Some((raw, None)) => {
                            return Err(LogError::Invalid(format!(
                                "{}: time:timestamp {raw:?} is not a date and time like 2026-01-05T09:00:00+08:00",
                                at()
                            )));
                        }
                        Some((_, Some(us))) => *us,
                    };
                    t.events.push(Event {
                        activity,
                        at: at_us,
                        lifecycle: p.lifecycle,
                        role: p.role,
                        resource: p.resource,
                    });
                } else if let Some((d, _)) = &trace
                    && *d == element_depth
                {
                    let (_, t) = trace.take().expect("trace open");
                    on_trace(t);
                }
            }
            Xml::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !root_seen {
        return Err(LogError::Invalid("not an XES log: the file has no <log> element".into()));
    }
    if trace.is_some() {
        return Err(LogError::Invalid(format!("the file ends inside trace {trace_no}")));
    }
    Ok(())
}

/// Escapes a value for an XML attribute.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'', '\n', '\r', '\t']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes an XES log one trace at a time.
pub struct XesWriter<W: Write> {
    out: W,
}

impl<W: Write> XesWriter<W> {
    /// Writes the header (extensions, globals, classifier).
    pub fn begin(mut out: W) -> std::io::Result<XesWriter<W>> {
        out.write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="PHOS workflow event log"/>
"#,
        )?;
        Ok(XesWriter { out })
    }

    /// Writes one trace: its name, then its events with activity, time, lifecycle, role and
    /// resource. `attributes` are extra trace-level string attributes.
    pub fn trace(&mut self, name: &str, attributes: &[(&str, &str)], events: &[Event]) -> std::io::Result<()> {
        let o = &mut self.out;
        writeln!(o, "  <trace>\n    <string key=\"concept:name\" value=\"{}\"/>", escape(name))?;
        for (k, v) in attributes {
            writeln!(o, "    <string key=\"{}\" value=\"{}\"/>", escape(k), escape(v))?;
        }
        for e in events {
            writeln!(
                o,
                "    <event>\n      <string key=\"concept:name\" value=\"{}\"/>\n      <date key=\"time:timestamp\" value=\"{}\"/>",
                escape(&e.activity),
                format_timestamp(e.at)
            )?;
            if let Some(l) = &e.lifecycle {
                writeln!(o, "      <string key=\"lifecycle:transition\" value=\"{}\"/>", escape(l))?;
            }
            if let Some(r) = &e.role {
                writeln!(o, "      <string key=\"org:role\" value=\"{}\"/>", escape(r))?;
            }
            if let Some(r) = &e.resource {
                writeln!(o, "      <string key=\"org:resource\" value=\"{}\"/>", escape(r))?;
            }
            o.write_all(b"    </event>\n")?;
        }
        o.write_all(b"  </trace>\n")
    }

    /// Closes the log and returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(b"</log>\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(xml: &str) -> Result<Vec<Trace>, LogError> {
        let mut traces = Vec::new();
        read(xml.as_bytes(), &mut |t| traces.push(t))?;
        Ok(traces)
    }

    fn log(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
<global scope="event"><string key="concept:name" value="DEFAULT"/></global>
{body}
</log>"#
        )
    }

    fn ev(name: &str, time: &str) -> String {
        format!(
            r#"<event><string key="concept:name" value="{name}"/><date key="time:timestamp" value="{time}"/></event>"#
        )
    }

    #[test]
    fn reads_traces_events_and_attributes() {
        let xml = log(&format!(
            r#"<trace><string key="concept:name" value="c1"/>
                 <event><string key="concept:name" value="A"/><date key="time:timestamp" value="2026-01-05T09:00:00+08:00"/>
                   <string key="lifecycle:transition" value="start"/><string key="org:role" value="clerk"/>
                   <string key="org:resource" value="Chan"/></event>
                 {}
               </trace>"#,
            ev("B", "2026-01-05T02:00:00Z")
        ));
        let t = read_str(&xml).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].name.as_deref(), Some("c1"));
        let a = &t[0].events[0];
        assert_eq!(a.activity, "A");
        assert_eq!(a.at, parse_timestamp("2026-01-05T01:00:00Z").unwrap());
        assert_eq!(a.lifecycle.as_deref(), Some("start"));
        assert_eq!(a.role.as_deref(), Some("clerk"));
        assert_eq!(a.resource.as_deref(), Some("Chan"));
        assert_eq!(t[0].events[1].activity, "B");
    }

    #[test]
    fn nested_meta_attributes_do_not_override_the_event() {
        let xml = log(
            r#"<trace><event><string key="concept:name" value="A"><string key="concept:name" value="meta"/></string>
                 <date key="time:timestamp" value="2026-01-05T09:00:00Z"/></event></trace>"#,
        );
        assert_eq!(read_str(&xml).unwrap()[0].events[0].activity, "A");
    }

    #[test]
    fn entities_and_character_references_are_decoded() {
        let xml = log(&format!(
            "<trace>{}{}{}</trace>",
            ev("R&amp;D &lt;check&gt; &quot;q&quot; &apos;a&apos;", "2026-01-05T09:00:00Z"),
            ev("&#x4E2D;&#25991;", "2026-01-05T09:00:01Z"),
            ev("審批", "2026-01-05T09:00:02Z")
        ));
        let t = read_str(&xml).unwrap();
        let names: Vec<&str> = t[0].events.iter().map(|e| e.activity.as_str()).collect();
        assert_eq!(names, ["R&D <check> \"q\" 'a'", "中文", "審批"]);
    }

    #[test]
    fn empty_traces_are_handed_over_empty_and_same_names_stay_apart() {
        let xml = log(&format!(
            r#"<trace><string key="concept:name" value="x"/>{}</trace>
               <trace><string key="concept:name" value="x"/>{}</trace>
               <trace><string key="concept:name" value="empty"/></trace><trace/>"#,
            ev("A", "2026-01-05T09:00:00Z"),
            ev("B", "2026-01-05T09:00:00Z")
        ));
        let t = read_str(&xml).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].events.len(), 1);
        assert_eq!(t[1].events.len(), 1);
        assert!(t[2].events.is_empty() && t[3].events.is_empty());
    }

    #[test]
    fn missing_or_bad_timestamps_name_the_trace_and_event() {
        let xml = log(&format!(
            r#"<trace><string key="concept:name" value="case-9"/>{}<event><string key="concept:name" value="Approve"/></event></trace>"#,
            ev("A", "2026-01-05T09:00:00Z")
        ));
        let e = read_str(&xml).unwrap_err().to_string();
        assert!(e.contains("trace 1 (\"case-9\"), event 2 (\"Approve\")"), "{e}");
        assert!(e.contains("no time:timestamp"), "{e}");
        let xml = log(&format!("<trace>{}{}</trace>", ev("A", "2026-01-05T09:00:00Z"), ev("B", "soon")));
        let e = read_str(&xml).unwrap_err().to_string();
        assert!(e.contains("trace 1, event 2 (\"B\")") && e.contains("\"soon\""), "{e}");
    }

    #[test]
    fn events_without_activity_and_malformed_xml_are_refused() {
        let xml = log(r#"<trace><event><date key="time:timestamp" value="2026-01-05T09:00:00Z"/></event></trace>"#);
        assert!(read_str(&xml).unwrap_err().to_string().contains("no concept:name"));
        let e = read_str("<log><trace><event></trace></log>").unwrap_err().to_string();
        assert!(e.contains("malformed XML"), "{e}");
        let e = read_str("<html><body/></html>").unwrap_err().to_string();
        assert!(e.contains("not an XES log"), "{e}");
        let e = read_str("").unwrap_err().to_string();
        assert!(e.contains("no <log>"), "{e}");
        let e = read_str(&log(&format!("<trace>{}</trace>", ev("A&bogus;", "2026-01-05T09:00:00Z")))).unwrap_err();
        assert!(e.to_string().contains("malformed XML"), "{e}");
        let e = read_str(&log("<trace>")).unwrap_err().to_string();
        assert!(e.contains("malformed XML") || e.contains("ends inside trace"), "{e}");
    }

    #[test]
    fn writer_output_reads_back_identically() {
        let events = vec![
            Event {
                activity: "收件 & <登記>".into(),
                at: parse_timestamp("2026-02-16T09:00:00+08:00").unwrap(),
                lifecycle: Some("complete".into()),
                role: Some("clerk".into()),
                resource: Some("陳\"大文\"".into()),
            },
            Event {
                activity: "Approve".into(),
                at: parse_timestamp("2026-02-20T17:30:00.125+08:00").unwrap(),
                lifecycle: None,
                role: None,
                resource: None,
            },
        ];
        let mut w = XesWriter::begin(Vec::new()).unwrap();
        w.trace("case 1", &[("phos:definition", "complaint")], &events).unwrap();
        w.trace("case 1", &[], &events[1..]).unwrap();
        let bytes = w.finish().unwrap();
        let t = read_str(std::str::from_utf8(&bytes).unwrap()).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].name.as_deref(), Some("case 1"));
        assert_eq!(t[0].events, events);
        assert_eq!(t[1].events, events[1..]);
    }
}
