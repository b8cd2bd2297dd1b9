#[rocket::launch]
fn rocket() -> _ {
    afp_api::rocket()
}
