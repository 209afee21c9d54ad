//! Conditions on sequence flows: a small expression language over the instance's variables
//! (a JSON object). Camunda's `${…}` wrapper is accepted and ignored.
//!
//! ```text
//! expr    := or
//! or      := and (("||" | "or") and)*
//! and     := not (("&&" | "and") not)*
//! not     := ("!" | "not") not | cmp
//! cmp     := value (("==" | "!=" | "<" | "<=" | ">" | ">=") value)?
//! value   := number | 'text' | "text" | true | false | null | path | "(" expr ")"
//! path    := name ("." name)*        e.g. applicant.age, risk
//! ```
//! A path that does not exist is `null`. Comparisons of numbers are numeric, of texts
//! lexicographic; `<` between a number and a text (or null) is false. A bare value is true when
//! it is `true`, a non-zero number or a non-empty text.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Literal(Value),
    Path(Vec<String>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Box<Expr>, Op, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = cs[i..(i + 2).min(cs.len())].iter().collect();
        if let Some(op) = ["==", "!=", "<=", ">=", "&&", "||"].into_iter().find(|o| *o == two) {
            out.push(Tok::Op(op));
            i += 2;
            continue;
        }
        match c {
            '(' => out.push(Tok::LParen),
            ')' => out.push(Tok::RParen),
            '<' => out.push(Tok::Op("<")),
            '>' => out.push(Tok::Op(">")),
            '!' => out.push(Tok::Op("!")),
            '\'' | '"' => {
                let end = cs[i + 1..].iter().position(|&d| d == c).ok_or("a text is not closed")?;
                out.push(Tok::Str(cs[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
                continue;
            }
            c if c.is_ascii_digit() || (c == '-' && cs.get(i + 1).is_some_and(|d| d.is_ascii_digit())) => {
                let start = i;
                i += 1;
                while i < cs.len() && (cs[i].is_ascii_digit() || cs[i] == '.') {
                    i += 1;
                }
                let text: String = cs[start..i].iter().collect();
                out.push(Tok::Num(text.parse().map_err(|_| format!("{text:?} is not a number"))?));
                continue;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < cs.len() && (cs[i].is_alphanumeric() || cs[i] == '_' || cs[i] == '.') {
                    i += 1;
                }
                out.push(Tok::Ident(cs[start..i].iter().collect()));
                continue;
            }
            c => return Err(format!("unexpected {c:?}")),
        }
        i += 1;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn eat_op(&mut self, ops: &[&str]) -> Option<&'static str> {
        match self.peek() {
            Some(Tok::Op(o)) if ops.contains(o) => {
                let o = *o;
                self.at += 1;
                Some(o)
            }
            Some(Tok::Ident(w)) if ops.contains(&w.as_str()) => {
                let o = match w.as_str() {
                    "and" => "&&",
                    "or" => "||",
                    _ => "!",
                };
                self.at += 1;
                Some(o)
            }
            _ => None,
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.eat_op(&["||", "or"]).is_some() {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.not()?;
        while self.eat_op(&["&&", "and"]).is_some() {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.eat_op(&["!", "not"]).is_some() {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Expr, String> {
        let left = self.value()?;
        let op = match self.eat_op(&["==", "!=", "<", "<=", ">", ">="]) {
            None => return Ok(left),
            Some("==") => Op::Eq,
            Some("!=") => Op::Ne,
            Some("<") => Op::Lt,
            Some("<=") => Op::Le,
            Some(">") => Op::Gt,
            Some(_) => Op::Ge,
        };
        Ok(Expr::Cmp(Box::new(left), op, Box::new(self.value()?)))
    }

    fn value(&mut self) -> Result<Expr, String> {
        let t = self.toks.get(self.at).cloned().ok_or("the condition ends too early")?;
        self.at += 1;
        Ok(match t {
            Tok::Num(n) => Expr::Literal(serde_json::json!(n)),
            Tok::Str(s) => Expr::Literal(Value::String(s)),
            Tok::Ident(w) => match w.as_str() {
                "true" => Expr::Literal(Value::Bool(true)),
                "false" => Expr::Literal(Value::Bool(false)),
                "null" => Expr::Literal(Value::Null),
                "and" | "or" | "not" => return Err(format!("{w:?} needs a value before it")),
                _ => Expr::Path(w.split('.').map(str::to_string).collect()),
            },
            Tok::LParen => {
                let e = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err("a bracket is not closed".into());
                }
                self.at += 1;
                e
            }
            Tok::RParen => return Err("unexpected )".into()),
            Tok::Op(o) => return Err(format!("unexpected {o}")),
        })
    }
}

/// Parses a condition (`${amount > 1000 && urgent}` or `amount > 1000 && urgent`).
pub fn parse(text: &str) -> Result<Expr, String> {
    let t = text.trim();
    let t = t.strip_prefix("${").and_then(|r| r.strip_suffix('}')).unwrap_or(t).trim();
    if t.is_empty() {
        return Err("the condition is empty".into());
    }
    let mut p = Parser { toks: tokens(t)?, at: 0 };
    let e = p.or()?;
    if p.at != p.toks.len() {
        return Err(format!("unexpected {:?} after the condition", p.toks[p.at]));
    }
    Ok(e)
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Null => false,
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn value(e: &Expr, vars: &Value) -> Value {
    match e {
        Expr::Literal(v) => v.clone(),
        Expr::Path(p) => p.iter().try_fold(vars, |v, k| v.get(k)).cloned().unwrap_or(Value::Null),
        other => Value::Bool(eval(other, vars)),
    }
}

fn compare(a: &Value, op: Op, b: &Value) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().zip(y.as_f64()).and_then(|(x, y)| x.partial_cmp(&y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    };
    match op {
        Op::Eq => ord == Some(Ordering::Equal),
        Op::Ne => ord != Some(Ordering::Equal),
        Op::Lt => ord == Some(Ordering::Less),
        Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ord == Some(Ordering::Greater),
        Op::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// Evaluates a condition over the instance variables (a JSON object).
pub fn eval(e: &Expr, vars: &Value) -> bool {
    match e {
        Expr::Not(x) => !eval(x, vars),
        Expr::And(a, b) => eval(a, vars) && eval(b, vars),
        Expr::Or(a, b) => eval(a, vars) || eval(b, vars),
        Expr::Cmp(a, op, b) => compare(&value(a, vars), *op, &value(b, vars)),
        other => truthy(&value(other, vars)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(cond: &str, vars: Value) -> bool {
        eval(&parse(cond).unwrap(), &vars)
    }

    #[test]
    fn evaluates_comparisons_and_logic() {
        let v = json!({"amount": 1500, "urgent": false, "district": "KT", "applicant": {"age": 70}});
        assert!(check("${amount > 1000}", v.clone()));
        assert!(!check("amount <= 1000", v.clone()));
        assert!(check("amount >= 1500 && district == 'KT'", v.clone()));
        assert!(check("urgent || applicant.age >= 65", v.clone()));
        assert!(check("!urgent", v.clone()));
        assert!(check("not urgent and (district == \"KT\" or district == 'SSP')", v.clone()));
        assert!(!check("missing == 'x'", v.clone()));
        assert!(check("missing == null", v.clone()));
        assert!(!check("district > 5", v.clone()), "text and number do not compare");
        assert!(check("amount != -3.5", v.clone()));
        assert!(check("district", v));
    }

    #[test]
    fn bad_conditions_say_why() {
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("${}").unwrap_err().contains("empty"));
        assert!(parse("amount >").unwrap_err().contains("ends too early"));
        assert!(parse("(a == 1").unwrap_err().contains("bracket"));
        assert!(parse("a == 'x").unwrap_err().contains("not closed"));
        assert!(parse("a == 1 b").unwrap_err().contains("after the condition"));
        assert!(parse("a # 1").unwrap_err().contains("unexpected"));
    }
}
