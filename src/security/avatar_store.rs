//! Avatars the portal keeps itself, for Logto tenants without storage for uploads
//! (`/api/user-assets/service-status` not ready): an upload (PNG, JPEG, WebP or GIF, at most
//! [`MAX_UPLOAD`]) is decoded within bounds, cropped to a centred square, resized to each of
//! [`SIZES`] and re-encoded as PNG (so no metadata and no byte of the original is kept), then
//! stored in the `avatars` table by the SHA-256 of the largest rendering. Its address,
//! `/avatars/u/<hash>-<size>.png`, names its content, so it can be cached forever, and it is
//! what the portal sets as the person's avatar in Logto.
//!
//! The images are served to anyone who has the address (`GET /avatars/u/…`, like the public
//! URLs of Logto's own storage): other apps show the avatar from the `picture` claim, and the
//! address cannot be guessed without the image itself.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use sha2::{Digest, Sha256};

use crate::db::Db;

/// The largest upload accepted.
pub const MAX_UPLOAD: usize = 5 * 1024 * 1024;
/// The renderings kept: the profile's 256 px and the lists' 64 px.
pub const SIZES: [u32; 2] = [256, 64];
/// Uploads wider or taller than this are refused before decoding.
const MAX_SIDE: u32 = 8192;
/// Memory one decode may take.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Why an image was refused.
#[derive(Debug, thiserror::Error)]
pub enum AvatarError {
    #[error("the image is larger than 5 MB")]
    TooLarge,
    #[error("not a PNG, JPEG, WebP or GIF image")]
    Unsupported,
    #[error("the image cannot be read: {0}")]
    Undecodable(String),
    #[error("avatar storage failed: {0}")]
    Db(#[from] sqlx::Error),
}

/// An image decoded from untrusted bytes: only the given formats, at most `max_side` pixels a
/// side and a bounded allocation.
pub fn decode_bounded(
    bytes: &[u8],
    formats: &[ImageFormat],
    max_side: u32,
) -> Result<DynamicImage, AvatarError> {
    let format = image::guess_format(bytes).map_err(|_| AvatarError::Unsupported)?;
    if !formats.contains(&format) {
        return Err(AvatarError::Unsupported);
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| AvatarError::Undecodable(e.to_string()))
}

/// A centred square of `image`, `size` pixels a side, as a PNG without metadata.
pub fn square_png(image: &DynamicImage, size: u32) -> Result<Vec<u8>, AvatarError> {
    let square = image.resize_to_fill(size, size, image::imageops::FilterType::Lanczos3);
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgba8(square.to_rgba8())
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|e| AvatarError::Undecodable(e.to_string()))?;
    Ok(out.into_inner())
}

/// The formats an upload may have.
pub const UPLOAD_FORMATS: [ImageFormat; 4] = [
    ImageFormat::Png,
    ImageFormat::Jpeg,
    ImageFormat::WebP,
    ImageFormat::Gif,
];

/// An upload turned into its renderings, before it is stored.
#[derive(Debug, Clone)]
pub struct ProcessedAvatar {
    /// Hex SHA-256 of the largest rendering.
    pub hash: String,
    /// (size, PNG bytes) for each of [`SIZES`].
    pub images: Vec<(u32, Vec<u8>)>,
}

/// Checks, decodes, crops and re-encodes an upload.
pub fn process(upload: &[u8]) -> Result<ProcessedAvatar, AvatarError> {
    if upload.len() > MAX_UPLOAD {
        return Err(AvatarError::TooLarge);
    }
    let decoded = decode_bounded(upload, &UPLOAD_FORMATS, MAX_SIDE)?;
    let images = SIZES
        .iter()
        .map(|&size| square_png(&decoded, size).map(|png| (size, png)))
        .collect::<Result<Vec<_>, _>>()?;
    let hash = hex::encode(Sha256::digest(&images[0].1));
    Ok(ProcessedAvatar { hash, images })
}

/// The portal path of a stored rendering.
pub fn path(hash: &str, size: u32) -> String {
    format!("/avatars/u/{hash}-{size}.png")
}

/// `<64 hex>-<size>.png` → (hash, size), for a size the portal keeps; anything else `None`.
pub fn parse_file_name(name: &str) -> Option<(String, u32)> {
    let stem = name.strip_suffix(".png")?;
    let (hash, size) = stem.split_once('-')?;
    let size: u32 = size.parse().ok()?;
    let hex_hash = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (hex_hash && SIZES.contains(&size) && size.to_string().len() == stem.len() - 65)
        .then(|| (hash.to_owned(), size))
}

/// Processes and stores an upload; returns its hash (the same image twice is stored once).
pub async fn store(db: &Db, upload: &[u8], now_ms: i64) -> Result<String, AvatarError> {
    let processed = process(upload)?;
    save(db, &processed, now_ms).await?;
    Ok(processed.hash)
}

/// Stores processed renderings (kept as they are when already stored).
pub async fn save(db: &Db, avatar: &ProcessedAvatar, now_ms: i64) -> Result<(), sqlx::Error> {
    // `$n` placeholders: SQLite accepts them too.
    const INSERT: &str = "INSERT INTO avatars (hash, size, image, created_at) \
        VALUES ($1, $2, $3, $4) ON CONFLICT (hash, size) DO NOTHING";
    crate::on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        for (size, png) in &avatar.images {
            sqlx::query(INSERT)
                .bind(&avatar.hash)
                .bind(i64::from(*size))
                .bind(png)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    })
}

/// A stored rendering's PNG bytes.
pub async fn load(db: &Db, hash: &str, size: u32) -> Result<Option<Vec<u8>>, sqlx::Error> {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query_scalar("SELECT image FROM avatars WHERE hash = ? AND size = ?")
                .bind(hash)
                .bind(i64::from(size))
                .fetch_optional(pool)
                .await
        }
        Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT image FROM avatars WHERE hash = $1 AND size = $2")
                .bind(hash)
                .bind(i64::from(size))
                .fetch_optional(pool)
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let mut src = image::RgbImage::new(width, height);
        for (x, y, p) in src.enumerate_pixels_mut() {
            // left half red, right half blue: the crop must keep the centre
            *p = if x < width / 2 {
                image::Rgb([220, 0, 0])
            } else {
                image::Rgb([0, 0, 220])
            };
            let _ = y;
        }
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(src)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn every_format_becomes_square_pngs_of_each_size() {
        for format in UPLOAD_FORMATS {
            let p =
                process(&encoded(400, 200, format)).unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!(p.hash.len(), 64);
            let sizes: Vec<u32> = p.images.iter().map(|(s, _)| *s).collect();
            assert_eq!(sizes, SIZES);
            for (size, png) in &p.images {
                assert_eq!(image::guess_format(png).unwrap(), ImageFormat::Png);
                let back = image::load_from_memory(png).unwrap().to_rgba8();
                assert_eq!(back.dimensions(), (*size, *size), "{format:?}");
                // cropped around the centre: both halves are still there
                assert!(
                    back.get_pixel(2, size / 2)[0] > 150,
                    "{format:?} left is red"
                );
                assert!(
                    back.get_pixel(size - 3, size / 2)[2] > 150,
                    "{format:?} right is blue"
                );
            }
        }
    }

    #[test]
    fn metadata_does_not_survive() {
        // A PNG with a text chunk: the rendering is drawn anew, so the text is gone.
        let mut png = encoded(64, 64, ImageFormat::Png);
        let iend = png.len() - 12;
        let data = b"Comment\0secret-location-51.5N";
        let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(data);
        let mut crc_input = b"tEXt".to_vec();
        crc_input.extend_from_slice(data);
        chunk.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        png.splice(iend..iend, chunk);
        assert!(png.windows(15).any(|w| w == b"secret-location"));
        let p = process(&png).unwrap();
        for (_, out) in &p.images {
            assert!(!out.windows(15).any(|w| w == b"secret-location"));
        }
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn refuses_what_is_not_a_small_supported_image() {
        assert!(matches!(
            process(&vec![0u8; MAX_UPLOAD + 1]),
            Err(AvatarError::TooLarge)
        ));
        assert!(matches!(
            process(b"GIF89a-not-really"),
            Err(AvatarError::Undecodable(_))
        ));
        assert!(matches!(
            process(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            Err(AvatarError::Unsupported)
        ));
        assert!(matches!(
            process(b"II*\x00\x08\x00\x00\x00tiff"),
            Err(AvatarError::Unsupported)
        ));
        // a header claiming 10 000 px a side is refused before any pixel is decoded
        let mut huge = encoded(8, 8, ImageFormat::Png);
        huge[16..20].copy_from_slice(&10_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&10_000u32.to_be_bytes());
        assert!(matches!(process(&huge), Err(AvatarError::Undecodable(_))));
    }

    #[test]
    fn file_names_name_a_hash_and_a_kept_size() {
        let h = "a".repeat(64);
        assert_eq!(
            parse_file_name(&format!("{h}-256.png")),
            Some((h.clone(), 256))
        );
        assert_eq!(
            parse_file_name(&format!("{h}-64.png")),
            Some((h.clone(), 64))
        );
        assert_eq!(path(&h, 64), format!("/avatars/u/{h}-64.png"));
        for bad in [
            format!("{h}-128.png"),
            format!("{h}-064.png"),
            format!("{h}-256.jpg"),
            format!("{}-256.png", "A".repeat(64)),
            format!("{}-256.png", "a".repeat(63)),
            "../x-256.png".to_string(),
        ] {
            assert_eq!(parse_file_name(&bad), None, "{bad}");
        }
    }
}
