//! The `db::intake` and `db::staff` functions against a real PostgreSQL: counters, the append-only
//! history, the diacritic fold, vote de-duplication, scoped reads and sessions.

use chrono::{NaiveDate, Utc};
use serde_json::json;
use tracuu::db;
use tracuu::domain::intake::Kind;

use crate::intake_support::*;

#[tokio::test]
async fn tracking_counters_are_per_kind_and_day() {
    let app = spawn_intake_app().await;
    let client = app.db.client().await;
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).expect("day");
    let next = NaiveDate::from_ymd_opt(2026, 11, 24).expect("day");
    assert_eq!(
        db::intake::next_sequence(&client, Kind::Question, day)
            .await
            .expect("seq"),
        1
    );
    assert_eq!(
        db::intake::next_sequence(&client, Kind::Question, day)
            .await
            .expect("seq"),
        2
    );
    assert_eq!(
        db::intake::next_sequence(&client, Kind::Feedback, day)
            .await
            .expect("seq"),
        1
    );
    assert_eq!(
        db::intake::next_sequence(&client, Kind::Question, next)
            .await
            .expect("seq"),
        1
    );
}

#[tokio::test]
async fn history_rows_cannot_be_changed_or_deleted() {
    let app = spawn_intake_app().await;
    let code = submit_question(&app, json!({})).await;
    let client = app.db.client().await;
    let update = client
        .execute("UPDATE intake_history SET note = 'x'", &[])
        .await;
    let delete = client.execute("DELETE FROM intake_history", &[]).await;
    assert!(update.is_err() && delete.is_err());
    let item = db::intake::find_item(&client, &code, None)
        .await
        .expect("query")
        .expect("item");
    assert_eq!(
        db::intake::list_history(&client, item.id)
            .await
            .expect("history")
            .len(),
        1
    );
}

#[tokio::test]
async fn the_fold_removes_vietnamese_diacritics_and_case() {
    let app = spawn_intake_app().await;
    let client = app.db.client().await;
    let folded: String = client
        .query_one(
            "SELECT tracuu_fold('Giấy phép XÂY DỰNG Đường Ưu tiên ỹ')",
            &[],
        )
        .await
        .expect("fold")
        .get(0);
    assert_eq!(folded, "giay phep xay dung duong uu tien y");
}

#[tokio::test]
async fn a_voter_counts_once_per_item() {
    let app = spawn_intake_app().await;
    let code = submit_question(&app, json!({})).await;
    let client = app.db.client().await;
    let item = db::intake::find_item(&client, &code, None)
        .await
        .expect("q")
        .expect("item");
    let first = db::intake::insert_vote(&client, item.id, b"voter-1", true)
        .await
        .expect("vote");
    let second = db::intake::insert_vote(&client, item.id, b"voter-1", false)
        .await
        .expect("vote");
    let other = db::intake::insert_vote(&client, item.id, b"voter-2", false)
        .await
        .expect("vote");
    assert_eq!((first, second, other), (Some((1, 0)), None, Some((1, 1))));
}

#[tokio::test]
async fn scoped_reads_do_not_find_another_agencys_items() {
    let app = spawn_intake_app().await;
    let (a, b) = two_agencies(&app).await;
    let code = submit_question(&app, json!({"agency_code": a})).await;
    let client = app.db.client().await;
    assert!(db::intake::find_item(&client, &code, Some(&a))
        .await
        .expect("q")
        .is_some());
    assert!(db::intake::find_item(&client, &code, Some(&b))
        .await
        .expect("q")
        .is_none());
    assert!(db::intake::lock_item(&client, &code, Some(&b))
        .await
        .expect("q")
        .is_none());
    let filter = tracuu::domain::intake::InboxFilter {
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        db::intake::list_inbox(&client, Some(&b), &filter)
            .await
            .expect("q")
            .len(),
        0
    );
    assert_eq!(
        db::intake::list_inbox(&client, Some(&a), &filter)
            .await
            .expect("q")
            .len(),
        1
    );
    assert_eq!(
        db::intake::list_inbox(&client, None, &filter)
            .await
            .expect("q")
            .len(),
        1
    );
}

#[tokio::test]
async fn sessions_expire_and_go_with_their_account() {
    let app = spawn_intake_app().await;
    add_staff(&app, "dau.moi", "desk_head", None).await;
    let client = app.db.client().await;
    let account = db::staff::find_account_by_username(&client, "dau.moi")
        .await
        .expect("q")
        .expect("account");
    db::staff::insert_session(
        &client,
        b"live",
        account.id,
        "t",
        Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .expect("insert");
    db::staff::insert_session(
        &client,
        b"dead",
        account.id,
        "t",
        Utc::now() - chrono::Duration::hours(1),
    )
    .await
    .expect("insert");
    assert!(db::staff::find_session(&client, b"live")
        .await
        .expect("q")
        .is_some());
    assert!(db::staff::find_session(&client, b"dead")
        .await
        .expect("q")
        .is_none());
    assert_eq!(
        db::staff::delete_expired_sessions(&client)
            .await
            .expect("q"),
        1
    );
    assert_eq!(
        db::staff::delete_account_sessions(&client, account.id)
            .await
            .expect("q"),
        1
    );
    let routes = db::intake::list_routes(&client, None).await.expect("q");
    assert!(routes.is_empty());
}

#[tokio::test]
async fn an_installation_fact_is_stored_once_and_kept() {
    let app = spawn_intake_app().await;
    let client = app.db.client().await;
    let first = db::intake::get_or_insert_fact(&client, "vote_salt_test", "a")
        .await
        .expect("q");
    let second = db::intake::get_or_insert_fact(&client, "vote_salt_test", "b")
        .await
        .expect("q");
    assert_eq!((first.as_str(), second.as_str()), ("a", "a"));
}
