#pragma once

#include <string>

namespace agora::net {

/// How a client checks the server it connects to over TLS.
///
/// With `verify` on (the default), the handshake fails unless the server's
/// certificate chain verifies against `ca_file` (or, when that is empty,
/// the system's default trust store) AND the certificate names the host we
/// dialled: a DNS name is matched against its subjectAltName DNS entries,
/// an address literal ("127.0.0.1", "::1") against its IP entries. SNI is
/// sent for names (never for address literals).
///
/// WARNING: `verify = false` turns BOTH checks off: any certificate from
/// anyone is accepted, so a man in the middle can read and change every
/// request, API key and order. Only for throwaway local tests; never for a
/// real venue.
struct tls_client_options {
  bool verify = true;  ///< Check the chain and the host name (see above).
  std::string ca_file; ///< PEM file of trusted certificates; "" = system defaults.
};

/// Writes a fresh self-signed certificate and its private key (both PEM)
/// for local TLS servers: EC P-256, CN=localhost, subjectAltName
/// DNS:localhost, IP:127.0.0.1, IP:::1, valid from one hour ago for 365
/// days, random 64-bit serial, SHA-256 signature. The key file is recreated
/// (unlinked, then opened O_CREAT|O_EXCL) with mode 0600; the certificate
/// file gets 0644. A client trusts the server by using the certificate file
/// as its `ca_file`. Returns false and fills `error` (if not null) when a
/// file cannot be written or OpenSSL fails. Never throws.
bool generate_self_signed(const std::string& cert_path, const std::string& key_path,
                          std::string* error);

} // namespace agora::net
