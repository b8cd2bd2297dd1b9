//! The stand-in's token endpoint over real HTTP: Maskinporten's JWT grant
//! signed with real RSA keys, every refusal, the client registry, Swagger
//! UI's client_credentials flow and its CORS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use maskinporten_testing::{Client, Clients, Issuer, SigningKey};
use serde_json::{Value, json};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const READ: &str = "nav:helse/sykepenger/afp.read";
const WRITE: &str = "nav:helse/sykepenger/afp.write";

/// The status and JSON body of a POST of `form` to the token endpoint.
async fn post(issuer: &Issuer, form: &[(&str, &str)]) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(issuer.token_endpoint())
        .form(form)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

async fn grant(issuer: &Issuer, assertion: &str) -> (u16, Value) {
    post(
        issuer,
        &[("grant_type", JWT_BEARER), ("assertion", assertion)],
    )
    .await
}

/// The claims of an access token, checked under the issuer's JWKS as an
/// API would check them.
async fn claims(issuer: &Issuer, token: &str) -> Value {
    let jwks: jsonwebtoken::jwk::JwkSet = reqwest::get(issuer.jwks_uri())
        .await
        .expect("JWKS")
        .json()
        .await
        .expect("JWKS JSON");
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwks.keys[0]).expect("RSA JWK");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer.issuer()]);
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .expect("the access token holds under the published key")
        .claims
}

fn refused(answer: &(u16, Value), status: u16, error: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["error"], error, "{}", answer.1);
    assert!(
        answer.1["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
}

#[tokio::test]
async fn a_grant_from_any_client_gets_a_maskinporten_shaped_token() {
    let issuer = Issuer::start().await;
    let key = SigningKey::generate("client-key");
    let assertion = issuer
        .grant("any-client", key)
        .scope(READ)
        .scope(WRITE)
        .sign();
    let (status, body) = grant(&issuer, &assertion).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], format!("{READ} {WRITE}"));
    assert_eq!(body["expires_in"], 120);
    let claims = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["iss"], issuer.issuer());
    assert_eq!(claims["scope"], format!("{READ} {WRITE}"));
    assert_eq!(claims["client_id"], "any-client");
    assert_eq!(claims["client_amr"], "private_key_jwt");
    assert_eq!(claims["consumer"]["ID"], "0192:123456789");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
    assert!(claims.get("aud").is_none() && claims.get("supplier").is_none());
    assert_eq!(issuer.token_requests(), 1);
}

#[tokio::test]
async fn rs384_rs512_and_an_x5c_header_are_accepted() {
    let issuer = Issuer::start().await;
    for alg in ["RS384", "RS512"] {
        let assertion = issuer
            .grant("c", SigningKey::generate("k"))
            .algorithm(alg)
            .scope(READ)
            .sign();
        assert_eq!(grant(&issuer, &assertion).await.0, 200, "{alg}");
    }
    let assertion = issuer
        .grant("c", SigningKey::generate("k"))
        .header("kid", Value::Null)
        .header("x5c", json!(["MIIB"]))
        .scope(READ)
        .sign();
    assert_eq!(grant(&issuer, &assertion).await.0, 200);
}

#[tokio::test]
async fn resource_consumer_org_and_system_user_shape_the_token() {
    let issuer = Issuer::start().await;
    issuer.set_default_consumer("111111111");
    let key = SigningKey::generate("k");

    let one = issuer
        .grant("c", key.clone())
        .scope(READ)
        .resource("https://afp.nav.no")
        .sign();
    let (_, body) = grant(&issuer, &one).await;
    let token = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(token["aud"], json!(["https://afp.nav.no"]));
    let string = issuer
        .grant("c", key.clone())
        .scope(READ)
        .claim("resource", json!("https://afp.nav.no"))
        .sign();
    let (_, body) = grant(&issuer, &string).await;
    let token = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(token["aud"], "https://afp.nav.no");

    let delegated = issuer
        .grant("c", key.clone())
        .scope(READ)
        .consumer_org("222222222")
        .sign();
    let (_, body) = grant(&issuer, &delegated).await;
    let token = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(token["consumer"]["ID"], "0192:222222222");
    assert_eq!(token["supplier"]["ID"], "0192:111111111");

    let system_user = issuer
        .grant("c", key.clone())
        .scope(READ)
        .system_user_org("333333333")
        .sign();
    let (_, body) = grant(&issuer, &system_user).await;
    let token = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    let entry = &token["authorization_details"][0];
    assert_eq!(entry["type"], "urn:altinn:systemuser");
    assert_eq!(entry["systemuser_org"]["ID"], "0192:333333333");
    assert_eq!(entry["system_id"], "111111111_c");
    let id = entry["systemuser_id"][0].as_str().expect("a made-up id");
    assert_eq!(id.len(), 36);

    let named = issuer
        .grant("c", key)
        .scope(READ)
        .authorization_details(json!([{
            "type": "urn:altinn:systemuser",
            "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:333333333"},
            "systemuser_id": ["a1b2"],
        }]))
        .sign();
    let (_, body) = grant(&issuer, &named).await;
    let token = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(
        token["authorization_details"][0]["systemuser_id"],
        json!(["a1b2"])
    );
}

#[tokio::test]
async fn every_broken_request_gets_its_rfc_6749_error() {
    let issuer = Issuer::start().await;
    let key = SigningKey::generate("k");
    let good = || issuer.grant("c", key.clone()).scope(READ);

    refused(
        &post(&issuer, &[("grant_type", "password")]).await,
        400,
        "unsupported_grant_type",
    );
    refused(
        &post(&issuer, &[("assertion", "x")]).await,
        400,
        "invalid_request",
    );
    refused(
        &post(&issuer, &[("grant_type", JWT_BEARER)]).await,
        400,
        "invalid_request",
    );
    refused(
        &post(
            &issuer,
            &[("grant_type", JWT_BEARER), ("grant_type", JWT_BEARER)],
        )
        .await,
        400,
        "invalid_request",
    );
    refused(&grant(&issuer, "not-a-jwt").await, 400, "invalid_grant");
    refused(&grant(&issuer, "a.b.c").await, 400, "invalid_grant");
    refused(
        &grant(&issuer, &good().expires_in(-5).sign()).await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(&issuer, &good().issued_in(60).expires_in(90).sign()).await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(&issuer, &good().expires_in(600).sign()).await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(
            &issuer,
            &good()
                .claim("aud", json!("https://maskinporten.no/"))
                .sign(),
        )
        .await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(&issuer, &good().without_claim("iss").sign()).await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(&issuer, &good().unsigned_with_alg("none")).await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(&issuer, &good().sign_hs256_with_public_key()).await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(&issuer, &good().header("kid", Value::Null).sign()).await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(&issuer, &good().header("crit", json!(["exp"])).sign()).await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(&issuer, &issuer.grant("c", key.clone()).sign()).await,
        400,
        "invalid_scope",
    );
    refused(
        &grant(&issuer, &good().consumer_org("12345").sign()).await,
        400,
        "invalid_request",
    );
    refused(
        &grant(
            &issuer,
            &good()
                .authorization_details(json!([{"type": "urn:other"}]))
                .sign(),
        )
        .await,
        400,
        "invalid_request",
    );
    // Not a form at all.
    let response = reqwest::Client::new()
        .post(issuer.token_endpoint())
        .json(&json!({"grant_type": JWT_BEARER}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 400);
    // Garbage bytes never take the server down.
    let response = reqwest::Client::new()
        .post(issuer.token_endpoint())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0x00, b'=', 0xfe, b'&', b'%'])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 400);
    assert_eq!(grant(&issuer, &good().sign()).await.0, 200);
}

#[tokio::test]
async fn a_grant_is_used_once() {
    let issuer = Issuer::start().await;
    let assertion = issuer
        .grant("c", SigningKey::generate("k"))
        .scope(READ)
        .sign();
    assert_eq!(grant(&issuer, &assertion).await.0, 200);
    let again = grant(&issuer, &assertion).await;
    refused(&again, 400, "invalid_grant");
    assert!(
        again.1["error_description"]
            .as_str()
            .unwrap()
            .contains("used before")
    );
}

#[tokio::test]
async fn a_registry_checks_signatures_scopes_and_kids_of_its_clients() {
    let issuer = Issuer::start().await;
    let key = SigningKey::generate("afp-key");
    issuer.use_clients(
        Clients::from_clients([
            Client::new("afp-client", "987654321")
                .scope(READ)
                .public_key(&key.public_key_pem())
                .kid("afp-key"),
            Client::new("trusted", "111111111").scope(READ),
        ])
        .expect("a valid registry"),
    );
    let (status, body) = grant(
        &issuer,
        &issuer.grant("afp-client", key.clone()).scope(READ).sign(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(token["consumer"]["ID"], "0192:987654321");

    // A stranger's key under the registered kid.
    let forged = issuer
        .grant("afp-client", SigningKey::generate("afp-key"))
        .scope(READ)
        .sign();
    refused(&grant(&issuer, &forged).await, 400, "invalid_grant");
    refused(
        &grant(
            &issuer,
            &issuer
                .grant("afp-client", key.clone())
                .kid("other")
                .scope(READ)
                .sign(),
        )
        .await,
        400,
        "invalid_grant",
    );
    refused(
        &grant(
            &issuer,
            &issuer.grant("afp-client", key.clone()).scope(WRITE).sign(),
        )
        .await,
        400,
        "invalid_scope",
    );
    refused(
        &grant(
            &issuer,
            &issuer.grant("stranger", key.clone()).scope(READ).sign(),
        )
        .await,
        401,
        "invalid_client",
    );
    // A registered client without a key is taken on trust.
    let trusted = issuer
        .grant("trusted", SigningKey::generate("any"))
        .scope(READ)
        .sign();
    assert_eq!(grant(&issuer, &trusted).await.0, 200);
}

#[test]
fn a_registry_file_is_toml_and_its_mistakes_have_kinds() {
    use maskinporten_testing::ClientsErrorKind;
    let key = SigningKey::generate("k");
    let text = format!(
        "[[client]]\nclient_id = \"a\"\norgno = \"987654321\"\nscopes = [\"{READ}\"]\npublic_key = \"\"\"\n{}\"\"\"\nsecret = \"s\"\n",
        key.public_key_pem()
    );
    let dir = std::env::temp_dir().join(format!("registry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("clients.toml");
    std::fs::write(&path, &text).expect("write");
    assert_eq!(Clients::load(&path).expect("loads").len(), 1);
    let kind = |text: &str| Clients::from_toml(text).unwrap_err().kind();
    assert_eq!(
        kind("[[client]]\nclient_id = \"a\"\norgno = \"987654321\"\ncolour = 1\n"),
        ClientsErrorKind::Syntax
    );
    assert_eq!(
        kind("[[client]]\nclient_id = \"a\"\norgno = \"98765\"\n"),
        ClientsErrorKind::BadClient
    );
    assert_eq!(
        kind("[[client]]\nclient_id = \"a\"\norgno = \"987654321\"\npublic_key = \"nope\"\n"),
        ClientsErrorKind::BadClient
    );
    assert_eq!(
        kind(
            "[[client]]\nclient_id = \"a\"\norgno = \"987654321\"\n[[client]]\nclient_id = \"a\"\norgno = \"987654321\"\n"
        ),
        ClientsErrorKind::BadClient
    );
    assert_eq!(
        Clients::load(&dir.join("missing.toml")).unwrap_err().kind(),
        ClientsErrorKind::Unreadable
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// What Swagger UI sends from the browser for its clientCredentials flow.
async fn swagger_ui(issuer: &Issuer, id: &str, secret: &str, scope: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(issuer.token_endpoint())
        .basic_auth(id, Some(secret))
        .header("origin", "http://127.0.0.1:8000")
        .header("x-requested-with", "XMLHttpRequest")
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .expect("an answer")
}

#[tokio::test]
async fn swagger_uis_client_credentials_flow_gets_a_token_across_origins() {
    let issuer = Issuer::start().await;
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, issuer.token_endpoint())
        .header("origin", "http://127.0.0.1:8000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,x-requested-with",
        )
        .send()
        .await
        .expect("an answer");
    assert_eq!(preflight.status(), 204);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some("http://127.0.0.1:8000")
    );
    assert!(
        header(&preflight, "access-control-allow-methods")
            .unwrap()
            .contains("post")
    );
    let allowed = header(&preflight, "access-control-allow-headers").unwrap();
    for name in ["authorization", "content-type", "x-requested-with"] {
        assert!(allowed.contains(name), "{allowed}");
    }

    let response = swagger_ui(&issuer, "swagger", "anything", READ).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("http://127.0.0.1:8000")
    );
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store")
    );
    let body: Value = response.json().await.expect("JSON");
    let token = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(token["client_id"], "swagger");
    assert_eq!(token["client_amr"], "client_secret_basic");
    assert_eq!(token["scope"], READ);

    // A refusal carries CORS too, so the page can read it.
    let response = swagger_ui(&issuer, "swagger", "anything", "").await;
    assert_eq!(response.status(), 400);
    assert!(header(&response, "access-control-allow-origin").is_some());

    // The secret in the body, as Swagger UI's "request body" option sends it.
    let (status, body) = post(
        &issuer,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "swagger"),
            ("client_secret", "x"),
            ("scope", READ),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    refused(
        &post(
            &issuer,
            &[("grant_type", "client_credentials"), ("scope", READ)],
        )
        .await,
        401,
        "invalid_client",
    );
    // The shapes a JWT grant can ask for, as extra parameters.
    let (status, body) = post(
        &issuer,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "swagger"),
            ("scope", READ),
            ("resource", "https://afp.nav.no"),
            ("consumer_org", "222222222"),
            ("systemuser_org", "333333333"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = claims(&issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(token["aud"], "https://afp.nav.no");
    assert_eq!(token["consumer"]["ID"], "0192:222222222");
    assert_eq!(token["supplier"]["ID"], "0192:123456789");
    assert_eq!(
        token["authorization_details"][0]["systemuser_org"]["ID"],
        "0192:333333333"
    );
}

#[tokio::test]
async fn a_registry_holds_swagger_ui_to_its_secret_and_scopes() {
    let issuer = Issuer::start().await;
    issuer.use_clients(
        Clients::from_clients([Client::new("swagger", "987654321")
            .scope(READ)
            .secret("s3cret")])
        .expect("a valid registry"),
    );
    assert_eq!(
        swagger_ui(&issuer, "swagger", "s3cret", READ)
            .await
            .status(),
        200
    );
    let wrong = swagger_ui(&issuer, "swagger", "guess", READ).await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get("www-authenticate").is_some());
    let body: Value = wrong.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_client");
    let scope = swagger_ui(&issuer, "swagger", "s3cret", WRITE).await;
    assert_eq!(scope.status(), 400);
    assert_eq!(
        scope.json::<Value>().await.expect("JSON")["error"],
        "invalid_scope"
    );
    assert_eq!(
        swagger_ui(&issuer, "nobody", "s3cret", READ).await.status(),
        401
    );
}

#[tokio::test]
async fn the_metadata_names_the_endpoint_that_answers() {
    let issuer = Issuer::start().await;
    let metadata: Value = reqwest::get(issuer.well_known_url())
        .await
        .expect("metadata")
        .json()
        .await
        .expect("JSON");
    assert_eq!(metadata["token_endpoint"], issuer.token_endpoint());
    // The payload of a grant is the client's business: decode one to be sure
    // the builder writes Maskinporten's claims.
    let assertion = issuer
        .grant("c", SigningKey::generate("k"))
        .scope(READ)
        .sign();
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(assertion.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["aud"], issuer.issuer());
    assert_eq!(payload["iss"], "c");
}

#[tokio::test]
async fn a_client_registered_with_its_certificate_signs_with_x5c() {
    use base64::engine::general_purpose::STANDARD;
    let issuer = Issuer::start().await;
    let key = SigningKey::generate("cert-key");
    let pair = rcgen::KeyPair::from_pem(&key.private_key_pem()).expect("rcgen reads the key");
    let certificate = rcgen::CertificateParams::new(vec!["afp-client.example".to_owned()])
        .expect("params")
        .self_signed(&pair)
        .expect("a self-signed certificate");
    issuer.use_clients(
        Clients::from_clients([Client::new("afp-client", "987654321")
            .scope(READ)
            .certificate(&certificate.pem())])
        .expect("a valid registry"),
    );
    let x5c = json!([STANDARD.encode(certificate.der())]);
    let signed = |key: SigningKey, x5c: Value| {
        issuer
            .grant("afp-client", key)
            .header("kid", Value::Null)
            .header("x5c", x5c)
            .scope(READ)
            .sign()
    };
    let (status, body) = grant(&issuer, &signed(key.clone(), x5c.clone())).await;
    assert_eq!(status, 200, "{body}");
    // The right certificate, a stranger's signature.
    refused(
        &grant(&issuer, &signed(SigningKey::generate("x"), x5c)).await,
        400,
        "invalid_grant",
    );
    // Another certificate than the one registered.
    let other_pair = rcgen::KeyPair::from_pem(&SigningKey::generate("o").private_key_pem())
        .expect("rcgen reads the key");
    let other = rcgen::CertificateParams::new(vec!["other.example".to_owned()])
        .expect("params")
        .self_signed(&other_pair)
        .expect("certificate");
    refused(
        &grant(&issuer, &signed(key, json!([STANDARD.encode(other.der())]))).await,
        400,
        "invalid_grant",
    );
}
