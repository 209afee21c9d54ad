//! Texts fit the reader: what a page shows comes in the reader's language, even when it was
//! recorded in the other one.

use kernel::i18n::Locale;

use crate::harness::spawn_app;

/// A caregiver affirms consent on an English page; on a Chinese page the statement is Chinese.
#[tokio::test]
async fn a_consent_statement_shows_in_the_readers_language() {
    let app = spawn_app().await;
    let (_, token, csrf) = crate::clinics::citizen(&app, "carer@example.org", "1970-05-05").await;
    let b = app.browser_with_session(&token);
    let res = b
        .post_raw(
            "/me/dependants",
            &[
                ("csrf", &csrf),
                ("name", "WONG Ah Po"),
                ("birth_date", "1941-02-03"),
                ("relationship", "parent"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (en, zh) = (Locale::En.t("dependant-consent-parent"), Locale::ZhHant.t("dependant-consent-parent"));
    let get = |lang: &'static str| {
        app.client
            .get(format!("{}/me", app.url))
            .header("cookie", format!("phos_session={token}; phos_lang={lang}"))
            .send()
    };
    let html = get("zh-Hant-HK").await.unwrap().text().await.unwrap();
    assert!(html.contains(&zh) && !html.contains(&en), "{html}");
    let html = get("en").await.unwrap().text().await.unwrap();
    assert!(html.contains(&en) && !html.contains(&zh));
    app.shutdown().await;
}
