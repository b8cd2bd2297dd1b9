#[rocket::main]
async fn main() {
    let figment = rocket::Config::figment();

    // `cargo run -p afp-api -- exposes`: the manifest block for our scopes.
    if std::env::args().nth(1).as_deref() == Some("exposes") {
        let rocket = afp_api::rocket_with(figment);
        let map = maskinporten_rocket::routes::scope_map(&rocket);
        print!("{}", maskinporten_rocket::manifest::exposes_yaml(&map));
        return;
    }

    #[cfg(all(feature = "dev-issuer", debug_assertions))]
    let (figment, dev_issuer) = afp_api::dev::unless_configured(figment).await;

    let rocket = afp_api::rocket_with(figment);

    // Printed at liftoff, after Rocket's own start-up lines, so the commands
    // are the last thing on the terminal. The issuer itself stays here, alive
    // until the API stops: its token endpoint serves Swagger UI's Authorize
    // button, and its keys any refresh.
    #[cfg(all(feature = "dev-issuer", debug_assertions))]
    let rocket = match &dev_issuer {
        Some(dev) => {
            let instructions = dev.instructions();
            rocket.attach(rocket::fairing::AdHoc::on_liftoff(
                "development issuer",
                move |_| Box::pin(async move { println!("{instructions}") }),
            ))
        }
        None => rocket,
    };

    if let Err(e) = rocket.launch().await {
        // Rocket has logged why (a configuration error names its key).
        e.pretty_print();
        std::process::exit(1);
    }
}
