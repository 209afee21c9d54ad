//! The citizen register (`kernel::people`): every read and write of the `citizens` table, on
//! the engine under test, including the look-ups the clinics need.

use kernel::i18n::Locale;
use kernel::people::{self, Names, NewCitizen, ProfileUpdate, SyntheticFilter, UpdateOutcome};
use kernel::{Db, notify::Channel};

use crate::harness::TestDb;

fn citizen(id: &str, en: &str, zh: &str, birth: &str, district: &str, synthetic: bool) -> NewCitizen {
    NewCitizen {
        id: id.into(),
        name_en: en.into(),
        name_zh: zh.into(),
        sex: 'F',
        birth_date: birth.into(),
        district: district.into(),
        email: Some(format!("{id}@example.org")),
        phone: None,
        preferred_lang: "en",
        hkid_masked: Some(format!("A12345({id})")),
        hkid_hmac: Some(format!("hmac-{id}")),
        synthetic,
    }
}

async fn seeded() -> (TestDb, Db) {
    let t = TestDb::new().await;
    let db = t.migrated().await;
    let mut tx = db.begin().await.unwrap();
    let rows = vec![
        citizen("c1", "Chan Tai Man", "陳大文", "1950-03-01", "KC", true),
        citizen("c2", "Wong Siu Ming", "", "1960-07-15", "KT", true),
        citizen("c3", "", "李小玲", "2015-11-30", "KC", true),
        citizen("c4", "Real Person", "", "1980-01-01", "KC", false),
    ];
    assert_eq!(people::insert_citizens(&mut tx, &rows).await.unwrap(), 4);
    assert_eq!(people::insert_citizens(&mut tx, &rows[..1]).await.unwrap(), 0, "an existing id is skipped");
    tx.commit().await.unwrap();
    (t, db)
}

#[tokio::test]
async fn lookups_by_id_for_the_areas() {
    let (_t, db) = seeded().await;
    assert_eq!(people::count_citizens(&db).await.unwrap(), 4);
    assert_eq!(people::names(&db, "c1").await.unwrap(), Some(Names { en: "Chan Tai Man".into(), zh: "陳大文".into() }));
    assert_eq!(people::names(&db, "nobody").await.unwrap(), None);
    assert_eq!(people::birth_date(&db, "c3").await.unwrap().as_deref(), Some("2015-11-30"));
    assert_eq!(people::birth_date(&db, "nobody").await.unwrap(), None);
    let s = people::summary(&db, "c2").await.unwrap().unwrap();
    assert_eq!(
        (s.name_en.as_str(), s.birth_date.as_str(), s.hkid_masked.as_deref()),
        ("Wong Siu Ming", "1960-07-15", Some("A12345(c2)"))
    );
    assert_eq!(people::id_by_hkid_hmac(&db, "hmac-c3").await.unwrap().as_deref(), Some("c3"));
    assert_eq!(people::id_by_hkid_hmac(&db, "hmac-none").await.unwrap(), None);
    assert_eq!(people::display_name_of(&db, "c1").await.unwrap().as_deref(), Some("陳大文 Chan Tai Man"));

    let names = people::names_of(&db, &["c1", "c3", "nobody"]).await.unwrap();
    assert_eq!(names.len(), 2);
    assert_eq!(names["c3"].joined(), "李小玲");
    let mut tx = db.begin().await.unwrap();
    let births = people::birth_dates_in_tx(&mut tx, &["c1", "c2"]).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(births.get("c2").map(String::as_str), Some("1960-07-15"));
    assert_eq!(births.len(), 2);
}

#[tokio::test]
async fn synthetic_citizens_by_filter() {
    let (_t, db) = seeded().await;
    let all = people::synthetic_ids(&db, &SyntheticFilter::default()).await.unwrap();
    assert_eq!(all, vec!["c1", "c2", "c3"], "only synthetic citizens, by id");
    let elders = people::synthetic_ids(&db, &SyntheticFilter { born_to: Some("1955-01-01"), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(elders, vec!["c1"]);
    let kc =
        people::synthetic_ids(&db, &SyntheticFilter { district: Some("KC"), limit: Some(1), ..Default::default() })
            .await
            .unwrap();
    assert_eq!(kc, vec!["c1"]);
    let born = SyntheticFilter {
        born_from: Some("1955-01-01"),
        born_to: Some("2020-01-01"),
        descending: true,
        ..Default::default()
    };
    assert_eq!(people::synthetic_ids(&db, &born).await.unwrap(), vec!["c3", "c2"]);
    let page = people::synthetic_page(&db, 2, 1).await.unwrap();
    assert_eq!(page.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec!["c2", "c3"]);
    assert_eq!(page[0].district, "KT");
}

#[tokio::test]
async fn sign_in_profiles_dependants_and_contacts() {
    let (_t, db) = seeded().await;
    let mut tx = db.begin().await.unwrap();
    assert_eq!(people::find_by_contact(&mut tx, "email", "c1@example.org").await.unwrap().as_deref(), Some("c1"));
    assert_eq!(people::find_by_contact(&mut tx, "sms", "+852 9123 4567").await.unwrap(), None);
    let new = people::create_with_contact(&mut tx, "sms", "+852 9123 4567", Locale::ZhHant).await.unwrap();
    assert_eq!(people::find_by_contact(&mut tx, "sms", "+852 9123 4567").await.unwrap().as_deref(), Some(new.as_str()));
    let update = ProfileUpdate {
        name_en: "New Name",
        name_zh: "",
        preferred_lang: Locale::En,
        contact_channel: "sms",
        hkid: Some(("A12345(c1)".into(), "hmac-c1".into())),
        birth_date: None,
    };
    assert_eq!(people::update_profile(&mut tx, &new, &update).await.unwrap(), UpdateOutcome::HkidTaken);
    let update = ProfileUpdate { hkid: Some(("B1(x)".into(), "hmac-new".into())), ..update };
    assert_eq!(people::update_profile(&mut tx, &new, &update).await.unwrap(), UpdateOutcome::Saved);
    let dep =
        people::add_dependant(&mut tx, &new, "小明", "2020-02-02", "child", "I consent", Locale::ZhHant).await.unwrap();
    tx.commit().await.unwrap();

    let p = people::profile(&db, &new).await.unwrap().unwrap();
    assert_eq!(
        (p.name_en.as_str(), p.hkid_masked.as_deref(), p.contact_channel.as_str()),
        ("New Name", Some("B1(x)"), "sms")
    );
    let deps = people::dependants(&db, &new).await.unwrap();
    assert_eq!(deps.len(), 1);
    assert_eq!((deps[0].id.as_str(), deps[0].name.as_str()), (dep.as_str(), "小明"));
    assert!(people::can_act_for(&db, &new, &dep).await.unwrap());
    assert!(people::can_act_for(&db, &new, &new).await.unwrap());
    assert!(!people::can_act_for(&db, &dep, &new).await.unwrap());
    assert_eq!(people::birth_date(&db, &dep).await.unwrap().as_deref(), Some("2020-02-02"));

    // The dependant has no contact of their own: messages go to the caregiver, in English now.
    let c = people::contact(&db, &new, &dep).await.unwrap().unwrap();
    assert_eq!(
        (c.channel, c.recipient.as_str(), c.locale, c.name.as_str()),
        (Channel::Sms, "+852 9123 4567", Locale::En, "New Name")
    );
    let c = people::contact(&db, "nobody", "c1").await.unwrap().unwrap();
    assert_eq!((c.channel, c.recipient.as_str()), (Channel::Email, "c1@example.org"));
    let mut tx = db.begin().await.unwrap();
    assert!(people::contact_in_tx(&mut tx, "nobody", "nobody either").await.unwrap().is_none());
    tx.rollback().await.unwrap();
}
