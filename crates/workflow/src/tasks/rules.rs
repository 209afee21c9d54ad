//! Pure rules of tasks: the worklist views, who may see a task, who may be handed one
//! (delegation and reassignment), comments. No IO; unit-tested below.

use kernel::identity::Role;

/// Tasks listed per page of a worklist.
pub const PAGE_SIZE: i64 = 25;
/// A task is "due soon" when its due time is within this many milliseconds (two days).
pub const DUE_SOON_MS: i64 = 48 * 3600 * 1000;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// Most tasks reassigned at once.
pub const MAX_BULK: usize = 100;
/// Roles that may reassign other people's tasks.
pub const MANAGERS: &[Role] = &[Role::TeamLead, Role::Admin];

/// A worklist view. For managers ([`sees_all`]) "my roles" means every role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Everything I may work on: tasks I hold, and open or claimed tasks for my roles.
    All,
    /// Tasks I hold.
    Mine,
    /// Tasks claimed by others for one of my roles (my team's work).
    Team,
    /// Open tasks for my roles, claimed by nobody.
    Unassigned,
    /// Tasks I hold or could claim whose due time has passed.
    Overdue,
    /// Tasks I hold or could claim that are due within [`DUE_SOON_MS`].
    DueSoon,
}

impl View {
    pub const ALL: [View; 6] = [View::All, View::Mine, View::Team, View::Unassigned, View::Overdue, View::DueSoon];

    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.code() == s)
    }

    pub fn code(self) -> &'static str {
        match self {
            View::All => "all",
            View::Mine => "mine",
            View::Team => "team",
            View::Unassigned => "unassigned",
            View::Overdue => "overdue",
            View::DueSoon => "due_soon",
        }
    }
}

/// The order of a worklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Oldest first.
    Created,
    /// Newest first.
    Newest,
    /// Soonest due first; tasks without a due time last.
    Due,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Created, Sort::Newest, Sort::Due];

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|v| v.code() == s)
    }

    pub fn code(self) -> &'static str {
        match self {
            Sort::Created => "created",
            Sort::Newest => "newest",
            Sort::Due => "due",
        }
    }
}

/// A worklist query, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub view: View,
    /// A process key, or none for every process.
    pub definition: Option<String>,
    /// Text to find in the task's name or its instance (id, variables); empty for none.
    pub text: String,
    pub sort: Sort,
    /// From 1.
    pub page: i64,
}

/// The field and code of each bad parameter.
pub type Refusals = Vec<(&'static str, &'static str)>;

/// Reads a worklist query from its raw parameters (absent or empty ones take their default).
pub fn query(
    view: Option<&str>,
    definition: Option<&str>,
    text: Option<&str>,
    sort: Option<&str>,
    page: Option<&str>,
) -> Result<Query, Refusals> {
    let mut bad = Vec::new();
    let given = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let view = match given(view) {
        None => View::All,
        Some(v) => View::parse(&v).unwrap_or_else(|| {
            bad.push(("view", "worklist_bad_view"));
            View::All
        }),
    };
    let sort = match given(sort) {
        None => Sort::Created,
        Some(s) => Sort::parse(&s).unwrap_or_else(|| {
            bad.push(("sort", "worklist_bad_sort"));
            Sort::Created
        }),
    };
    let page = match given(page) {
        None => 1,
        Some(p) => match p.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => {
                bad.push(("page", "worklist_bad_page"));
                1
            }
        },
    };
    let text = given(text).unwrap_or_default();
    if text.chars().count() > 100 {
        bad.push(("q", "worklist_bad_text"));
    }
    let definition = given(definition);
    if bad.is_empty() { Ok(Query { view, definition, text, sort, page }) } else { Err(bad) }
}

/// The candidate roles of a task (stored comma-separated).
pub fn candidate_roles(roles: &str) -> impl Iterator<Item = &str> {
    roles.split(',').map(str::trim).filter(|r| !r.is_empty())
}

/// The first candidate role of the task that the person holds.
pub fn holds_candidate_role<'a>(task_roles: &'a str, person: &[&str]) -> Option<&'a str> {
    candidate_roles(task_roles).find(|r| person.contains(r))
}

/// Whether a person may see a task (its page, comments and attachments): the one who holds
/// it, anyone holding one of its candidate roles, team leads and administrators.
pub fn may_see(task_roles: &str, assignee: Option<&str>, me: &str, my_roles: &[&str]) -> bool {
    assignee == Some(me) || holds_candidate_role(task_roles, my_roles).is_some() || sees_all(my_roles)
}

/// Whether a person's worklists show every task, whatever its roles (managers, who reassign
/// their teams' work).
pub fn sees_all(my_roles: &[&str]) -> bool {
    MANAGERS.iter().any(|m| my_roles.contains(&m.code()))
}

/// Whether `person` (with `roles`) may be handed a task: they hold one of its candidate roles
/// and are not the one the four-eyes rule excludes (who completed the preparing task). The
/// refusal is a stable code.
pub fn may_take(task_roles: &str, person: &str, roles: &[&str], excluded: Option<&str>) -> Result<(), &'static str> {
    if holds_candidate_role(task_roles, roles).is_none() {
        return Err("assignee_lacks_role");
    }
    if excluded == Some(person) {
        return Err("assignee_four_eyes");
    }
    Ok(())
}

/// A comment's text, trimmed; refused when blank or longer than [`MAX_COMMENT_CHARS`].
pub fn comment(text: &str) -> Result<String, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Err("comment_required");
    }
    if t.chars().count() > MAX_COMMENT_CHARS {
        return Err("comment_too_long");
    }
    Ok(t.to_string())
}

/// The task ids of a bulk reassignment: at least one, at most [`MAX_BULK`], duplicates dropped
/// (first order kept).
pub fn bulk_ids(ids: &[String]) -> Result<Vec<String>, &'static str> {
    let mut out: Vec<String> = Vec::new();
    for id in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    match out.len() {
        0 => Err("reassign_none_selected"),
        n if n > MAX_BULK => Err("reassign_too_many"),
        _ => Ok(out),
    }
}

/// Whether a task is overdue at `now` (its due time has passed).
pub fn overdue(due_at: Option<i64>, now: i64) -> bool {
    due_at.is_some_and(|d| d < now)
}

/// Whether a task is due soon at `now` (not overdue, due within [`DUE_SOON_MS`]).
pub fn due_soon(due_at: Option<i64>, now: i64) -> bool {
    due_at.is_some_and(|d| d >= now && d <= now + DUE_SOON_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_queries_with_defaults_and_names_every_bad_parameter() {
        let q = query(None, None, None, None, None).unwrap();
        assert_eq!(q, Query { view: View::All, definition: None, text: String::new(), sort: Sort::Created, page: 1 });
        let q = query(Some("due_soon"), Some(" complaint "), Some(" C-1 "), Some("due"), Some("3")).unwrap();
        assert_eq!(
            q,
            Query {
                view: View::DueSoon,
                definition: Some("complaint".into()),
                text: "C-1".into(),
                sort: Sort::Due,
                page: 3
            }
        );
        assert_eq!(query(Some(""), Some(""), Some(" "), Some(""), Some("")).unwrap().view, View::All);
        let bad = query(Some("everything"), None, Some(&"x".repeat(101)), Some("name"), Some("0")).unwrap_err();
        assert_eq!(
            bad,
            vec![
                ("view", "worklist_bad_view"),
                ("sort", "worklist_bad_sort"),
                ("page", "worklist_bad_page"),
                ("q", "worklist_bad_text")
            ]
        );
        assert_eq!(query(None, None, None, None, Some("x")).unwrap_err(), vec![("page", "worklist_bad_page")]);
        for v in View::ALL {
            assert_eq!(View::parse(v.code()), Some(v));
        }
    }

    #[test]
    fn who_may_see_and_who_may_take_a_task() {
        assert_eq!(holds_candidate_role("inspector, clinic_staff", &["clinic_staff"]), Some("clinic_staff"));
        assert_eq!(holds_candidate_role("inspector", &["clinic_staff"]), None);
        assert!(may_see("inspector", None, "u1", &["inspector"]));
        assert!(may_see("inspector", Some("u1"), "u1", &["auditor"]), "the holder, whatever their roles");
        assert!(!may_see("inspector", Some("u2"), "u1", &["auditor"]));
        assert!(may_see("inspector", Some("u2"), "u1", &["team_lead"]));
        assert!(may_see("inspector", None, "u1", &["admin"]));
        assert!(sees_all(&["auditor", "team_lead"]) && !sees_all(&["inspector", "auditor"]));
        assert_eq!(may_take("inspector", "u2", &["inspector"], None), Ok(()));
        assert_eq!(may_take("inspector", "u2", &["auditor"], None), Err("assignee_lacks_role"));
        assert_eq!(may_take("inspector", "u2", &["inspector"], Some("u2")), Err("assignee_four_eyes"));
        assert_eq!(may_take("inspector", "u2", &["inspector"], Some("u3")), Ok(()));
    }

    #[test]
    fn comments_are_bounded() {
        assert_eq!(comment("  looks fine \n"), Ok("looks fine".into()));
        assert_eq!(comment(" \n "), Err("comment_required"));
        assert_eq!(comment(&"字".repeat(MAX_COMMENT_CHARS)).map(|c| c.chars().count()), Ok(MAX_COMMENT_CHARS));
        assert_eq!(comment(&"字".repeat(MAX_COMMENT_CHARS + 1)), Err("comment_too_long"));
    }

    #[test]
    fn bulk_ids_are_deduplicated_and_bounded() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(bulk_ids(&ids(&["a", " b", "a", ""])), Ok(ids(&["a", "b"])));
        assert_eq!(bulk_ids(&ids(&["", " "])), Err("reassign_none_selected"));
        let many: Vec<String> = (0..=MAX_BULK).map(|i| i.to_string()).collect();
        assert_eq!(bulk_ids(&many), Err("reassign_too_many"));
        assert_eq!(bulk_ids(&many[..MAX_BULK]).map(|v| v.len()), Ok(MAX_BULK));
    }

    #[test]
    fn overdue_and_due_soon() {
        let now = 1_000_000_000;
        assert!(overdue(Some(now - 1), now));
        assert!(!overdue(Some(now), now));
        assert!(!overdue(None, now));
        assert!(due_soon(Some(now), now));
        assert!(due_soon(Some(now + DUE_SOON_MS), now));
        assert!(!due_soon(Some(now + DUE_SOON_MS + 1), now));
        assert!(!due_soon(Some(now - 1), now), "overdue is not due soon");
        assert!(!due_soon(None, now));
    }
}
