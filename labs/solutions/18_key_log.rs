//! Exercise 18, reference solution: NSS key log lines. minitls's own
//! version is `minitls::keylog::keylog_line` with
//! `SecretLabel::keylog_label`; the labels are the ones Wireshark's TLS
//! dissector reads for TLS 1.3.

use minitls::key_schedule::SecretLabel;

/// The key log line for `secret` of the connection whose ClientHello
/// carried `client_random`; `None` for a secret the format does not name.
pub fn keylog_line(label: SecretLabel, client_random: &[u8; 32], secret: &[u8]) -> Option<String> {
    // Only the secrets that protect records (and the exporter secret) have
    // a name: the Handshake, Master and resumption secrets never key a
    // record, so Wireshark has no use for them. The generations after a
    // KeyUpdate have none either: the format stops at generation 0, and
    // Wireshark derives the next ones itself ("traffic upd", RFC 8446 §7.2).
    let name = match label {
        SecretLabel::ClientHandshakeTraffic => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        SecretLabel::ServerHandshakeTraffic => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        SecretLabel::ClientApplicationTraffic0 => "CLIENT_TRAFFIC_SECRET_0",
        SecretLabel::ServerApplicationTraffic0 => "SERVER_TRAFFIC_SECRET_0",
        SecretLabel::ExporterMaster => "EXPORTER_SECRET",
        // 0-RTT data's key (RFC 8446 §7.1).
        SecretLabel::ClientEarlyTraffic => "CLIENT_EARLY_TRAFFIC_SECRET",
        // After a KeyUpdate Wireshark derives the next generation itself.
        SecretLabel::HandshakeSecret
        | SecretLabel::MasterSecret
        | SecretLabel::ResumptionMaster
        | SecretLabel::ClientApplicationTrafficNext
        | SecretLabel::ServerApplicationTrafficNext => return None,
    };
    // The client random names the connection: one key log file can hold
    // the lines of many connections.
    Some(format!(
        "{name} {} {}",
        hex::encode(client_random),
        hex::encode(secret)
    ))
}
