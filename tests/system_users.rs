//! Altinn system users and delegated access, read from real tokens in both
//! validation modes: the stand-in Texas answers with the token's claims,
//! `authorization_details` among them, as Texas does.

use maskinporten_rocket::{Claims, Maskinporten};
use maskinporten_testing::{bearer, Issuer, Texas};
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, routes};

use crate::support::READ;

const SYSTEM_USER_ID: &str = "a9f05ba1-3ec7-4b7a-a3b2-6b1c5d0c7e11";
const SYSTEM_ID: &str = "987654321_afp-system";

/// What a handler reads of the caller: the system user (or why it cannot be
/// read) and the delegation.
#[get("/caller")]
fn caller(claims: Claims) -> Json<Value> {
    let system_user = match claims.system_user() {
        Ok(Some(user)) => json!({
            "systemuser_org": user.orgno(),
            "systemuser_id": user.ids(),
            "system_id": user.system_id(),
        }),
        Ok(None) => Value::Null,
        Err(e) => json!({ "error": e.to_string() }),
    };
    Json(json!({
        "system_user": system_user,
        "delegated": claims.is_delegated(),
        "consumer": claims.consumer_orgno(),
        "supplier": claims.supplier_orgno(),
    }))
}

async fn client(figment: Figment) -> Client {
    // `caller` takes `Claims` and no scope: unmarked.
    let figment = figment.merge(("maskinporten.deny_unmarked_routes", false));
    let rocket = rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/", routes![caller]);
    Client::tracked(rocket).await.expect("the app ignites")
}

async fn caller_of(client: &Client, token: &str) -> Value {
    let response = client.get("/caller").header(bearer(token)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    response.into_json().await.expect("JSON")
}

/// Every case, against a client in one validation mode.
async fn every_case(issuer: &Issuer, client: &Client) {
    // Both spellings of the organisation key.
    for key in ["ID", "id"] {
        let token = issuer
            .token()
            .scope(READ)
            .authorization_details(json!([{
                "type": "urn:altinn:systemuser",
                "systemuser_org": {"authority": "iso6523-actorid-upis", key: "0192:123456789"},
                "systemuser_id": [SYSTEM_USER_ID],
                "system_id": SYSTEM_ID,
            }]))
            .sign();
        let read = caller_of(client, &token).await;
        assert_eq!(
            read["system_user"],
            json!({"systemuser_org": "123456789", "systemuser_id": [SYSTEM_USER_ID], "system_id": SYSTEM_ID}),
            "{key}"
        );
    }
    // The kit's own spelling.
    let token = issuer
        .token()
        .scope(READ)
        .system_user("123456789", &[SYSTEM_USER_ID], SYSTEM_ID)
        .sign();
    assert_eq!(
        caller_of(client, &token).await["system_user"]["systemuser_org"],
        "123456789"
    );
    // No system user.
    let token = issuer.token().scope(READ).sign();
    assert_eq!(caller_of(client, &token).await["system_user"], Value::Null);
    // A malformed entry: the token is still valid; the handler is told why.
    let token = issuer
        .token()
        .scope(READ)
        .authorization_details(json!([{
            "type": "urn:altinn:systemuser",
            "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:1234"},
            "systemuser_id": [SYSTEM_USER_ID],
            "system_id": SYSTEM_ID,
        }]))
        .sign();
    assert_eq!(
        caller_of(client, &token).await["system_user"]["error"],
        "systemuser_org is not 0192: and nine digits"
    );
    // Delegated access: the supplier's client asked for the consumer.
    let token = issuer
        .token()
        .scope(READ)
        .consumer("111111111")
        .supplier("222222222")
        .sign();
    let read = caller_of(client, &token).await;
    assert_eq!(read["delegated"], true);
    assert_eq!(read["consumer"], "111111111");
    assert_eq!(read["supplier"], "222222222");
    let token = issuer.token().scope(READ).consumer("111111111").sign();
    assert_eq!(caller_of(client, &token).await["delegated"], false);
}

#[rocket::async_test]
async fn system_users_and_delegation_read_with_local_validation() {
    let issuer = Issuer::start().await;
    let client = client(issuer.figment()).await;
    every_case(&issuer, &client).await;
}

#[rocket::async_test]
async fn system_users_and_delegation_read_through_texas() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client(texas.figment()).await;
    every_case(&issuer, &client).await;
    assert!(texas.introspections() > 0);
}
