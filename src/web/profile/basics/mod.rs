//! Basics: name, username and avatar (`PATCH /api/users/:id`), plus avatar upload through
//! Logto's user assets when the tenant has storage. `save` takes the form, `upload` the
//! avatar file; `view` is how the section looks.

use crate::logto::User;

mod save;
mod upload;
mod view;

pub use save::{save, valid_username, BasicsForm};
pub use upload::{upload_avatar, AVATAR_BODY_LIMIT, MAX_AVATAR_BYTES};
pub use view::{view_of, BasicsView};

const SECTION: &str = "basics";
const ACTION: &str = "profile.update_basics";
/// Logto's limits (`users` table and guards).
const MAX_NAME: usize = 128;
const MAX_USERNAME: usize = 128;
const MAX_AVATAR_URL: usize = 2048;

/// The three editable values, as the form shows them.
#[derive(Debug, Clone, Default)]
struct Values {
    name: String,
    username: String,
    avatar: String,
}

impl Values {
    fn from_user(user: &User) -> Self {
        Values {
            name: user.name.clone().unwrap_or_default(),
            username: user.username.clone().unwrap_or_default(),
            avatar: user.avatar.clone().unwrap_or_default(),
        }
    }
}
