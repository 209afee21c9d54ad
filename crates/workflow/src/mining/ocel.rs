//! OCEL 2.0 JSON (the object-centric event log standard), written as a stream: the object and
//! event types first, then the objects, then the events, one at a time.

use std::io::Write;

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct AttributeType {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// An object type or an event type.
#[derive(Clone, Debug, Serialize)]
pub struct TypeDef {
    pub name: String,
    pub attributes: Vec<AttributeType>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Relationship {
    #[serde(rename = "objectId")]
    pub object_id: String,
    pub qualifier: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ObjectAttribute {
    pub name: String,
    pub time: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Object {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub attributes: Vec<ObjectAttribute>,
    pub relationships: Vec<Relationship>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventAttribute {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub time: String,
    pub attributes: Vec<EventAttribute>,
    pub relationships: Vec<Relationship>,
}

#[derive(PartialEq, Eq)]
enum Section {
    Objects,
    Events,
}

/// Writes an OCEL 2.0 JSON document: [`OcelWriter::begin`], any [`OcelWriter::object`]s, then
/// any [`OcelWriter::event`]s, then [`OcelWriter::finish`].
pub struct OcelWriter<W: Write> {
    out: W,
    section: Section,
    first: bool,
}

fn io(e: serde_json::Error) -> std::io::Error {
    std::io::Error::other(e)
}

impl<W: Write> OcelWriter<W> {
    pub fn begin(mut out: W, object_types: &[TypeDef], event_types: &[TypeDef]) -> std::io::Result<OcelWriter<W>> {
        out.write_all(b"{\"objectTypes\":")?;
        serde_json::to_writer(&mut out, object_types).map_err(io)?;
        out.write_all(b",\n\"eventTypes\":")?;
        serde_json::to_writer(&mut out, event_types).map_err(io)?;
        out.write_all(b",\n\"objects\":[")?;
        Ok(OcelWriter { out, section: Section::Objects, first: true })
    }

    fn item(&mut self, v: &impl Serialize) -> std::io::Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(b"\n")?;
        serde_json::to_writer(&mut self.out, v).map_err(io)
    }

    pub fn object(&mut self, o: &Object) -> std::io::Result<()> {
        assert!(self.section == Section::Objects, "OCEL objects come before events");
        self.item(o)
    }

    pub fn event(&mut self, e: &Event) -> std::io::Result<()> {
        if self.section == Section::Objects {
            self.out.write_all(b"],\n\"events\":[")?;
            self.section = Section::Events;
            self.first = true;
        }
        self.item(e)
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        if self.section == Section::Objects {
            self.out.write_all(b"],\n\"events\":[")?;
        }
        self.out.write_all(b"]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Formats microseconds since the epoch as OCEL wants it (RFC 3339, UTC).
pub fn time(at_us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(at_us).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(id: &str, q: &str) -> Relationship {
        Relationship { object_id: id.into(), qualifier: q.into() }
    }

    #[test]
    fn writes_a_valid_ocel2_json_document() {
        let types = [TypeDef {
            name: "complaint".into(),
            attributes: vec![AttributeType { name: "version".into(), kind: "integer" }],
        }];
        let ev_types = [TypeDef { name: "收件".into(), attributes: vec![] }];
        let mut w = OcelWriter::begin(Vec::new(), &types, &ev_types).unwrap();
        w.object(&Object {
            id: "i1".into(),
            kind: "complaint".into(),
            attributes: vec![ObjectAttribute { name: "version".into(), time: time(0), value: "2".into() }],
            relationships: vec![],
        })
        .unwrap();
        w.object(&Object { id: "u1".into(), kind: "staff".into(), attributes: vec![], relationships: vec![] }).unwrap();
        for i in 0..2 {
            w.event(&Event {
                id: format!("e{i}"),
                kind: "收件".into(),
                time: time(1_767_600_000_000_000),
                attributes: vec![EventAttribute { name: "lifecycle".into(), value: "complete".into() }],
                relationships: vec![rel("i1", "case"), rel("u1", "performed by")],
            })
            .unwrap();
        }
        let bytes = w.finish().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["objectTypes"][0]["attributes"][0]["type"], "integer");
        assert_eq!(v["objects"].as_array().unwrap().len(), 2);
        assert_eq!(v["events"].as_array().unwrap().len(), 2);
        assert_eq!(v["events"][1]["type"], "收件");
        assert_eq!(v["events"][1]["time"], "2026-01-05T08:00:00.000Z");
        assert_eq!(v["events"][0]["relationships"][1]["objectId"], "u1");
    }

    #[test]
    fn an_empty_log_is_still_a_document() {
        let bytes = OcelWriter::begin(Vec::new(), &[], &[]).unwrap().finish().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v, serde_json::json!({"objectTypes": [], "eventTypes": [], "objects": [], "events": []}));
    }
}
