// The menu version queries (see `store/menu_versions.rs`), written once and included into
// `store::sqlite` and `store::postgres` after `queries.rs`, whose `Db` and `DbRow` they use.

use crate::store::menu_versions::{MenuVersion, NewMenuVersion};

const MENU_VERSION_COLUMNS: &str = "version, activated_at, source, menu_file, changes, same_as";

pub(super) async fn insert_menu_version(
    pool: &sqlx::Pool<Db>,
    new: &NewMenuVersion<'_>,
) -> Result<i64> {
    let digest = new.contents.digest();
    let prompts = serde_json::to_string(&new.contents.prompts)?;
    let mut tx = begin_write(pool).await?;
    for (sha256, bytes) in new.files {
        sqlx::query("INSERT INTO prompt_blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING")
            .bind(*sha256)
            .bind(*bytes)
            .execute(&mut *tx)
            .await?;
    }
    let same_as: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM menu_versions WHERE content_sha = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(&digest)
    .fetch_optional(&mut *tx)
    .await?;
    let version = sqlx::query_scalar(
        "INSERT INTO menu_versions (activated_at, source, menu_file, menu_text, prompts, \
         content_sha, changes, same_as) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING version",
    )
    .bind(new.activated_at)
    .bind(new.source)
    .bind(new.menu_file)
    .bind(&new.contents.menu_text)
    .bind(prompts)
    .bind(digest)
    .bind(new.changes)
    .bind(same_as)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(version)
}

pub(super) async fn read_menu_versions(pool: &sqlx::Pool<Db>, limit: i64) -> Result<Vec<MenuVersion>> {
    let sql = format!(
        "SELECT {MENU_VERSION_COLUMNS} FROM menu_versions ORDER BY version DESC LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(pool).await?;
    rows.iter().map(menu_version_from_row).collect()
}

/// The version numbered `version`, or the newest when `None`, with its contents.
pub(super) async fn read_menu_version(
    pool: &sqlx::Pool<Db>,
    version: Option<i64>,
) -> Result<Option<(MenuVersion, crate::live::snapshot::Contents)>> {
    let sql = format!(
        "SELECT {MENU_VERSION_COLUMNS}, menu_text, prompts FROM menu_versions \
         WHERE ($1 IS NULL OR version = $1) ORDER BY version DESC LIMIT 1"
    );
    let Some(row) = sqlx::query(&sql).bind(version).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let contents = crate::live::snapshot::Contents {
        menu_text: row.try_get("menu_text")?,
        prompts: crate::store::menu_versions::prompts_from_json(row.try_get("prompts")?)?,
    };
    Ok(Some((menu_version_from_row(&row)?, contents)))
}

pub(super) async fn read_prompt_blob(pool: &sqlx::Pool<Db>, sha256: &str) -> Result<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar("SELECT bytes FROM prompt_blobs WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(pool)
        .await?)
}

pub(super) async fn read_prompt_blob_digests(
    pool: &sqlx::Pool<Db>,
) -> Result<std::collections::BTreeSet<String>> {
    let digests: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM prompt_blobs")
        .fetch_all(pool)
        .await?;
    Ok(digests.into_iter().collect())
}

fn menu_version_from_row(row: &DbRow) -> Result<MenuVersion> {
    Ok(MenuVersion {
        version: row.try_get("version")?,
        activated_at: row.try_get("activated_at")?,
        source: row.try_get("source")?,
        menu_file: row.try_get("menu_file")?,
        changes: row.try_get("changes")?,
        same_as: row.try_get("same_as")?,
    })
}
