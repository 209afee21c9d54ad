//! Clusters and transmission chains.

use super::*;

#[tokio::test]
async fn clusters_link_cases_into_a_transmission_chain() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let a = a_case(&app, &token, 11, "measles", "KWT").await;
    let b = a_case(&app, &token, 12, "measles", "KWT").await;
    let c = a_case(&app, &token, 13, "measles", "KWT").await;
    let (_, epi) = staff(&app, &[Role::Epidemiologist]).await;
    let res = epi.post_form("/staff/protection/clusters", &[("name", ""), ("setting", "school")]).await;
    assert_eq!(res.status(), 422);
    let res = epi
        .post_form(
            "/staff/protection/clusters",
            &[
                ("name", "Measles, primary school"),
                ("disease", "measles"),
                ("setting", "school"),
                ("description", "Kwai Tsing"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let cl = res.headers()["location"].to_str().unwrap().to_string();
    let reference = cl.rsplit('/').next().unwrap().to_string();
    assert!(reference.starts_with("CL-"));
    for x in [&a, &b, &c] {
        assert_eq!(epi.post_form(&format!("{cl}/cases"), &[("case", x)]).await.status(), 303);
    }
    assert_eq!(epi.post_form(&format!("{cl}/cases"), &[("case", "CASE-1999-000009")]).await.status(), 422);
    let link = |s: &str, t: &str| {
        let (s, t, p, e) = (s.to_string(), t.to_string(), format!("{cl}/links"), &epi);
        async move { e.post_form(&p, &[("source", &s), ("target", &t), ("note", "same class")]).await }
    };
    assert_eq!(link(&a, &b).await.status(), 303);
    assert_eq!(link(&b, &c).await.status(), 303);
    let refused = link(&c, &a).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("would make a loop"));
    assert_eq!(link(&a, &a).await.status(), 422);
    assert_eq!(link(&a, &b).await.status(), 422, "no duplicate links");
    // The chain: an accessible SVG (title, description, one box per case, one arrow per link)
    // and the same information as a table.
    let (_, html) = text(&epi, &cl).await;
    let svg = html.split("<svg").nth(1).unwrap().split("</svg>").next().unwrap();
    assert!(
        svg.contains("role=\"img\"")
            && svg.contains(&format!("<title id=\"chain-title\">Transmission chain of {reference}</title>"))
    );
    assert!(svg.contains(&format!("{a} → {b}; {b} → {c}")), "description lists the links");
    assert_eq!(svg.matches("<rect").count(), 3);
    assert_eq!(svg.matches("marker-end").count(), 2);
    assert!(html.contains(&format!("<td><a href=\"/staff/protection/cases/{a}\">{a}</a></td><td><a href=\"/staff/protection/cases/{b}\">{b}</a></td>")));
    assert!(!html.contains("SECRET NAME"), "cluster pages are pseudonymised");
    // The line list filters by cluster.
    let (_, list) = text(&epi, &format!("/staff/protection/cases?cluster={reference}")).await;
    assert!(list.contains("3 cases"));
    // Taking a case out of the cluster drops its links.
    assert_eq!(epi.post_form(&format!("{cl}/cases/remove"), &[("case", &b)]).await.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_links").await, 0);
    let audit = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('cluster.create', 'cluster.link', 'case.cluster')",
    )
    .await;
    assert_eq!(audit, 1 + 2 + 3 + 1);
    app.shutdown().await;
}
