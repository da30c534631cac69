// OpenSSL (Debian's libssl-dev) for the SMTP client's STARTTLS: the few calls it needs, with the
// macros Swift cannot import wrapped as functions.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

static inline long eco_ssl_set_server_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
