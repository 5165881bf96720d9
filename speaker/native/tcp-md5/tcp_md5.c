// TCP MD5 signatures (RFC 2385) and TTL for BGP sockets: the socket options Node's net module cannot set.
// Linux only. Exposed to JavaScript through Node-API:
//   socket(family)                      -> fd of a new non-blocking TCP socket (family 4 or 6)
//   setMd5(fd, family, peerBytes, key)  -> sets or (empty key) clears TCP_MD5SIG for the peer address
//   setTtl(fd, family, ttl)             -> IP_TTL / IPV6_UNICAST_HOPS (eBGP multihop)
//   bind(fd, family, addressBytes, port)  -> SO_REUSEADDR + bind, for a listener that keeps MD5 keys per peer
//   close(fd)
// Errors are thrown as JavaScript Errors carrying the errno text.

#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static napi_value throw_errno(napi_env env, const char *what) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int get_int(napi_env env, napi_value value, int32_t *out) {
  return napi_get_value_int32(env, value, out) == napi_ok;
}

static napi_value make_int(napi_env env, int32_t value) {
  napi_value out;
  napi_create_int32(env, value, &out);
  return out;
}

static napi_value js_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t family = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !get_int(env, argv[0], &family) || (family != 4 && family != 6)) {
    napi_throw_type_error(env, NULL, "socket(family): family must be 4 or 6");
    return NULL;
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket");
  return make_int(env, fd);
}

static napi_value js_set_md5(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd = -1, family = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *peer = NULL, *key = NULL;
  size_t peer_length = 0, key_length = 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (argc < 4 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &family) ||
      napi_get_typedarray_info(env, argv[2], &type, &peer_length, &peer, &buffer, &offset) != napi_ok ||
      napi_get_typedarray_info(env, argv[3], &type, &key_length, &key, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, NULL, "setMd5(fd, family, peer: Uint8Array, key: Uint8Array)");
    return NULL;
  }
  if ((family == 4 && peer_length != 4) || (family == 6 && peer_length != 16) || key_length > TCP_MD5SIG_MAXKEYLEN) {
    napi_throw_range_error(env, NULL, "setMd5: peer address length or key length (max 80) is wrong");
    return NULL;
  }
  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  if (family == 4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&sig.tcpm_addr;
    sin->sin_family = AF_INET;
    memcpy(&sin->sin_addr, peer, 4);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sig.tcpm_addr;
    sin6->sin6_family = AF_INET6;
    memcpy(&sin6->sin6_addr, peer, 16);
  }
  sig.tcpm_keylen = (uint16_t)key_length;
  memcpy(sig.tcpm_key, key, key_length);
  if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) != 0) return throw_errno(env, "setsockopt(TCP_MD5SIG)");
  return NULL;
}

static napi_value js_set_ttl(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd = -1, family = 0, ttl = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &family) || !get_int(env, argv[2], &ttl) ||
      ttl < 1 || ttl > 255) {
    napi_throw_type_error(env, NULL, "setTtl(fd, family, ttl 1..255)");
    return NULL;
  }
  int value = ttl;
  int rc = family == 4 ? setsockopt(fd, IPPROTO_IP, IP_TTL, &value, sizeof value)
                       : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &value, sizeof value);
  if (rc != 0) return throw_errno(env, "setsockopt(TTL)");
  return NULL;
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd = -1, family = 0, port = -1;
  void *address = NULL;
  size_t address_length = 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &family) ||
      napi_get_typedarray_info(env, argv[2], &type, &address_length, &address, &buffer, &offset) != napi_ok ||
      !get_int(env, argv[3], &port) || port < 0 || port > 65535 ||
      (family == 4 ? address_length != 4 : address_length != 16)) {
    napi_throw_type_error(env, NULL, "bind(fd, family, address: Uint8Array, port)");
    return NULL;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (family == 4) {
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    memcpy(&sin.sin_addr, address, 4);
    rc = bind(fd, (struct sockaddr *)&sin, sizeof sin);
  } else {
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((uint16_t)port);
    memcpy(&sin6.sin6_addr, address, 16);
    rc = bind(fd, (struct sockaddr *)&sin6, sizeof sin6);
  }
  if (rc != 0) return throw_errno(env, "bind");
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1 && get_int(env, argv[0], &fd) && fd >= 0) close(fd);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"socket", NULL, js_socket, NULL, NULL, NULL, napi_default, NULL},
      {"setMd5", NULL, js_set_md5, NULL, NULL, NULL, napi_default, NULL},
      {"setTtl", NULL, js_set_ttl, NULL, NULL, NULL, napi_default, NULL},
      {"bind", NULL, js_bind, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
