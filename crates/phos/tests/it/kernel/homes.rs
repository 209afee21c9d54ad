//! Role homes over HTTP: the staff home shows each role exactly the cards its roles may open
//! (the same access declarations the guard enforces), nobody else gets it, the public home shows
//! no staff cards, and error pages show the header of whoever is signed in, in their language.

use kernel::area::Audience;
use kernel::i18n::Locale;
use kernel::identity::Role;

use crate::harness::{Browser, TestApp, csrf_of, spawn_app};

/// The links of the cards on the staff home, sorted.
fn card_links(html: &str) -> Vec<String> {
    let mut links: Vec<String> = html
        .split("<li class=\"card\"><h2><a href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
        .collect();
    links.sort();
    links
}

fn sorted(links: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = links.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

async fn staff_home(b: &Browser) -> String {
    let res = b.get("/staff").await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

fn staff_card_links(app: &TestApp) -> Vec<&'static str> {
    app.state.home.iter().filter(|c| c.audience == Audience::Staff).map(|c| c.href).collect()
}

#[tokio::test]
async fn each_role_sees_exactly_the_cards_it_may_open() {
    let app = spawn_app().await;
    let expected: [(Role, &[&str]); 8] = [
        (Role::ClinicStaff, &["/staff/clinics", "/staff/fridges", "/staff/workflow/tasks", "/staff/access"]),
        (
            Role::Epidemiologist,
            &[
                "/staff/protection",
                "/staff/protection/cases",
                "/staff/protection/clusters",
                "/staff/protection/signals",
                "/staff/protection/dashboard",
                "/staff/protection/diseases",
                "/staff/workflow/tasks",
                "/staff/access",
            ],
        ),
        (Role::Reporter, &["/notify", "/staff/workflow/tasks", "/staff/access"]),
        (Role::Auditor, &["/staff/audit", "/staff/workflow/tasks", "/staff/access"]),
        (Role::CommsOfficer, &["/staff/closures", "/staff/outbox", "/staff/workflow/tasks", "/staff/access"]),
        (
            Role::DataSteward,
            &[
                "/staff/protection/open-data",
                "/staff/protection/diseases",
                "/staff/partners",
                "/staff/workflow/tasks",
                "/staff/access",
            ],
        ),
        (
            Role::Inspector,
            &[
                "/staff/regulatory/applications",
                "/staff/regulatory/complaints",
                "/staff/regulatory/inspections/due",
                "/staff/regulatory/inspections/mine",
                "/staff/workflow/tasks",
                "/staff/workflow/definitions",
                "/staff/workflow/instances",
                "/staff/workflow/mining",
                "/staff/workflow/simulation",
                "/staff/access",
            ],
        ),
        (
            Role::ClinicManager,
            &["/staff/clinics", "/staff/fridges", "/staff/closures", "/staff/workflow/tasks", "/staff/access"],
        ),
    ];
    for (role, links) in expected {
        let b = app.staff_browser(&[role]).await;
        assert_eq!(card_links(&staff_home(&b).await), sorted(links), "{role:?}");
    }
    // Two roles see the union of their tools.
    let b = app.staff_browser(&[Role::Reporter, Role::Auditor]).await;
    assert_eq!(
        card_links(&staff_home(&b).await),
        sorted(&["/notify", "/staff/audit", "/staff/workflow/tasks", "/staff/access"])
    );
    // An administrator sees every staff card but the practitioners' notification form.
    let b = app.staff_browser(&[Role::Admin]).await;
    let all: Vec<&str> = staff_card_links(&app).into_iter().filter(|l| *l != "/notify").collect();
    assert!(all.len() >= 15, "{all:?}");
    assert_eq!(card_links(&staff_home(&b).await), sorted(&all));
    app.shutdown().await;
}

/// For every role, a card shows exactly when its link opens: shown cards answer 200, the others
/// 403 (so a card never leads to a refusal and no tool a role may use is hidden).
#[tokio::test]
async fn a_card_shows_exactly_when_its_link_opens() {
    let app = spawn_app().await;
    for role in Role::ALL {
        let b = app.staff_browser(&[role]).await;
        let shown = card_links(&staff_home(&b).await);
        assert!(shown.contains(&"/staff/access".to_string()), "{role:?}");
        for link in staff_card_links(&app) {
            let status = b.get(link).await.status().as_u16();
            let expected = if shown.iter().any(|s| s == link) { 200 } else { 403 };
            assert_eq!(status, expected, "{role:?} {link}");
        }
    }
    app.shutdown().await;
}

#[tokio::test]
async fn citizens_and_anonymous_people_get_no_staff_home() {
    let app = spawn_app().await;
    let res = app.get("/staff").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/staff/login?next=/staff");
    let (_, token, _) = crate::clinics::citizen(&app, "home@example.org", "1980-01-01").await;
    let citizen = app.browser_with_session(&token);
    let res = citizen.get("/staff").await;
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(card_links(&html).is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn the_public_home_shows_no_staff_cards() {
    let app = spawn_app().await;
    let staff_links = staff_card_links(&app);
    let anonymous = app.get("/").await.text().await.unwrap();
    let staff = app.staff_browser(&[Role::Admin]).await;
    let signed_in = staff.get("/").await.text().await.unwrap();
    for html in [&anonymous, &signed_in] {
        for link in &staff_links {
            assert!(!html.contains(&format!("href=\"{link}\"")), "the public home links to {link}");
        }
        // The public's services are there.
        assert!(html.contains("href=\"/service-points\"") && html.contains("href=\"/bookings\""));
    }
    assert!(!anonymous.contains(&Locale::En.t("home-staff-tools")));
    // Signed-in staff get one link to their own home.
    assert!(signed_in.contains(&format!("<a href=\"/staff\">{}</a>", Locale::En.t("home-staff-tools"))));
    app.shutdown().await;
}

#[tokio::test]
async fn error_pages_show_the_signed_in_header_in_the_persons_language() {
    let app = spawn_app().await;
    let b = app.staff_browser(&[Role::ClinicStaff]).await;
    let email = {
        let html = staff_home(&b).await;
        let i = html.find("<span class=\"who\">").expect("signed-in header") + "<span class=\"who\">".len();
        html[i..].split('<').next().unwrap().to_string()
    };
    // 403 and 404, in English.
    for (path, status, title) in
        [("/staff/users", 403, "error-forbidden-title"), ("/no/such/page", 404, "error-not_found-title")]
    {
        let res = b.get(path).await;
        assert_eq!(res.status(), status, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&Locale::En.t(title)), "{path}");
        assert!(html.contains(&format!("<span class=\"who\">{email}</span>")), "{path}: {html}");
        assert!(html.contains("action=\"/staff/logout\"") && html.contains("href=\"/staff\""), "{path}");
        assert!(!html.contains(&format!("href=\"/signin\">{}", Locale::En.t("nav-sign-in"))), "{path}");
    }
    // In Chinese once the language is switched.
    assert_eq!(b.get("/lang/zh-Hant-HK?back=/").await.status(), 303);
    let html = b.get("/no/such/page").await.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-Hant-HK\">"));
    assert!(html.contains(&Locale::ZhHant.t("error-not_found-title")));
    assert!(html.contains(&Locale::ZhHant.t("nav-sign-out")) && html.contains(&Locale::ZhHant.t("nav-staff-home")));
    assert!(html.contains(&format!("<span class=\"who\">{email}</span>")));
    // The language switch on an error page comes back to it.
    assert!(html.contains("/lang/en?back=/no/such/page"));
    // The header's sign-out form on the error page works (it carries the right CSRF token).
    let csrf = csrf_of(&html).expect("sign-out form");
    let res = b.post_raw("/staff/logout", &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(b.get("/staff").await.status(), 303, "signed out");

    // A citizen refused a staff page sees their own header.
    let (_, token, _) = crate::clinics::citizen(&app, "refused@example.org", "1980-01-01").await;
    let citizen = app.browser_with_session(&token);
    let html = citizen.get("/staff/users").await.text().await.unwrap();
    assert!(html.contains("<span class=\"who\">TEST refused@example.org</span>"), "{html}");
    assert!(html.contains("action=\"/signout\"") && html.contains("href=\"/me\""));
    // Anonymous people see the sign-in link on a 404.
    let html = app.get("/no/such/page").await.text().await.unwrap();
    assert!(html.contains("href=\"/signin\"") && !html.contains("class=\"who\""));
    app.shutdown().await;
}
