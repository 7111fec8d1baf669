//! Check of exercise 28 (the TLS exporter) against a real minitls
//! connection: `Connection::export_keying_material` on both ends.

use minitls::key_schedule::SecretLabel;

use super::flight::{secret, traced_pair};
use super::same;
use crate::e28_exporter::export;

/// Holds `export` to both ends' exporter, for several labels, contexts
/// and lengths.
pub fn check() -> Result<(), String> {
    let mut traced = traced_pair();
    traced
        .pair
        .drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;

    // The exporter, on both ends of the same connection.
    let exporter_master = secret(&traced.client, SecretLabel::ExporterMaster);
    let cases: [(&[u8], &[u8], usize); 4] = [
        (b"EXPERIMENTAL-minitls", b"", 48),
        (b"EXPORTER-Channel-Binding", b"", 32),
        (
            b"EXPERIMENTAL-course",
            b"a context of the application's",
            100,
        ),
        (&[0xff, 0x00, b'x'], &[0; 40], 7),
    ];
    for (label, context, length) in cases {
        let yours = export(&exporter_master, label, context, length);
        for (side, connection) in [
            ("client", &traced.pair.client),
            ("server", &traced.pair.server),
        ] {
            let mut expected = vec![0u8; length];
            connection
                .export_keying_material(label, context, &mut expected)
                .map_err(|e| format!("the {side} refused to export (a bug in the check): {e}"))?;
            same(
                &format!(
                    "export(label {:?}, context of {} bytes, {length}) against the {side}'s",
                    String::from_utf8_lossy(label),
                    context.len()
                ),
                &yours,
                &expected,
            )?;
        }
    }
    Ok(())
}
