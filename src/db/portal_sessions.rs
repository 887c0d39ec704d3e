//! The person's portal sessions one by one (issue 17): what `session_owners` knows about each
//! (browser, address, signed in, last active), and ending one so that it stays ended on every
//! replica (`ended_sessions`).

use super::Db;

/// One live portal session of a person, as the security page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSession {
    pub id: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// Epoch ms.
    pub signed_in_at: Option<i64>,
    /// Epoch ms of the last keep-alive save (or the sign-in).
    pub last_active_at: Option<i64>,
}

/// What the session store writes into `session_owners` each time it saves a signed-in session.
#[derive(Debug, Clone, Default)]
pub struct SessionIndex<'a> {
    pub user_id: &'a str,
    pub signed_in_at: Option<i64>,
    pub last_active_at: Option<i64>,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// Ended sessions are remembered this long: far longer than any request in flight.
pub const ENDED_KEPT_MS: i64 = 24 * 3600 * 1000;

type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

impl Db {
    /// Remembers that `session_id` is a session of `index.user_id` and what it was last seen
    /// from; a value the session does not carry keeps the one known.
    pub async fn index_session(
        &self,
        session_id: &str,
        index: &SessionIndex<'_>,
    ) -> sqlx::Result<()> {
        crate::on_db!(self, pool => {
            sqlx::query(
                "INSERT INTO session_owners \
                 (session_id, user_id, signed_in_at, last_active_at, user_agent, ip) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (session_id) DO UPDATE SET \
                 signed_in_at = COALESCE(excluded.signed_in_at, session_owners.signed_in_at), \
                 last_active_at = COALESCE(excluded.last_active_at, session_owners.last_active_at), \
                 user_agent = COALESCE(excluded.user_agent, session_owners.user_agent), \
                 ip = COALESCE(excluded.ip, session_owners.ip)",
            )
            .bind(session_id)
            .bind(index.user_id)
            .bind(index.signed_in_at)
            .bind(index.last_active_at)
            .bind(index.user_agent)
            .bind(index.ip)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The live portal sessions of `user_id`, the most recently active first.
    pub async fn sessions_of(&self, user_id: &str) -> sqlx::Result<Vec<PortalSession>> {
        let rows: Vec<Row> = crate::on_db!(self, pool => {
            sqlx::query_as(
                "SELECT o.session_id, o.user_agent, o.ip, o.signed_in_at, o.last_active_at \
                 FROM session_owners o JOIN sessions s ON s.id = o.session_id \
                 WHERE o.user_id = $1 \
                 ORDER BY COALESCE(o.last_active_at, 0) DESC, o.session_id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(id, user_agent, ip, signed_in_at, last_active_at)| PortalSession {
                    id,
                    user_agent,
                    ip,
                    signed_in_at,
                    last_active_at,
                },
            )
            .collect())
    }

    /// Ends the portal session `session_id` when it is one of `user_id`'s (its next request is
    /// signed out, on any replica); `false` when there is no such session.
    pub async fn end_session_of(
        &self,
        user_id: &str,
        session_id: &str,
        now_ms: i64,
    ) -> sqlx::Result<bool> {
        let owned: Option<String> = crate::on_db!(self, pool => {
            sqlx::query_scalar(
                "SELECT o.session_id FROM session_owners o JOIN sessions s ON s.id = o.session_id \
                 WHERE o.user_id = $1 AND o.session_id = $2",
            )
            .bind(user_id)
            .bind(session_id)
            .fetch_optional(pool)
            .await?
        });
        if owned.is_none() {
            return Ok(false);
        }
        // First the mark, then the deletion: a write-back that lands after the deletion
        // finds the mark (see `PortalSessionStore::save`).
        crate::on_db!(self, pool => {
            sqlx::query(
                "INSERT INTO ended_sessions (session_id, ended_at) VALUES ($1, $2) \
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(session_id)
            .bind(now_ms)
            .execute(pool)
            .await?;
        });
        self.delete_session_row(session_id).await?;
        Ok(true)
    }

    /// Marks every portal session of `user_id` but `keep` as ended (see [`Db::end_session_of`]).
    pub(super) async fn mark_others_ended(
        &self,
        user_id: &str,
        keep: &str,
        now_ms: i64,
    ) -> sqlx::Result<()> {
        crate::on_db!(self, pool => {
            sqlx::query(
                "INSERT INTO ended_sessions (session_id, ended_at) \
                 SELECT session_id, $3 FROM session_owners WHERE user_id = $1 AND session_id <> $2 \
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(keep)
            .bind(now_ms)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Marks every portal session of `user_id` as ended (see [`Db::end_session_of`]).
    pub async fn mark_sessions_ended(&self, user_id: &str, now_ms: i64) -> sqlx::Result<()> {
        // No session id is empty: every one of them is marked.
        self.mark_others_ended(user_id, "", now_ms).await
    }

    /// Whether `session_id` was ended through the portal.
    pub async fn was_ended(&self, session_id: &str) -> sqlx::Result<bool> {
        let found: Option<String> = crate::on_db!(self, pool => {
            sqlx::query_scalar("SELECT session_id FROM ended_sessions WHERE session_id = $1")
                .bind(session_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// Removes a session and what is known about it.
    pub async fn delete_session_row(&self, session_id: &str) -> sqlx::Result<()> {
        crate::on_db!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(session_id)
                .execute(pool)
                .await?;
            sqlx::query("DELETE FROM session_owners WHERE session_id = $1")
                .bind(session_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forgets sessions ended before `before_ms` (run by the hourly clean-up with
    /// now − [`ENDED_KEPT_MS`]).
    pub async fn forget_ended_sessions(&self, before_ms: i64) -> sqlx::Result<u64> {
        let n = crate::on_db!(self, pool => {
            sqlx::query("DELETE FROM ended_sessions WHERE ended_at < $1")
                .bind(before_ms)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n)
    }
}
