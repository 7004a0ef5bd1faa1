/*
 * The upstream for the streaming bench, in C so that it costs the proxy under test as little CPU as
 * possible (the bench shares 2 cores between load generator, upstream and proxy; wrk is C for the
 * same reason). One thread, epoll, one timerfd.
 *
 * A request whose body contains "stream":true is answered with CHUNKS SSE chunks, one every
 * INTERVAL ms on the stream's own schedule (due times start + k × INTERVAL from its own request:
 * streams are not synchronised onto one tick), each one write() of a prebuilt chunked frame; the
 * head goes with the first chunk, as node:http sends it; the last chunk, `data: [DONE]` and the
 * terminating chunk go in one write. Other requests get the fixed chat completion of upstream.ts.
 * HTTP/1.1 keep-alive, Content-Length bodies. Prints its port on stdout.
 *
 * Every stream has the same interval, so the due queue is a FIFO ring: a stream rescheduled at
 * due + INTERVAL, or a new one at now + INTERVAL, is never earlier than any entry already queued.
 *
 *   cc -O2 -o sse-upstream sse-upstream.c     env: PORT (0), CHUNKS (64), INTERVAL (20)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAXFD 65536
#define INBUF 16384

typedef struct {
  int open;
  uint32_t gen;   /* bumped when the connection closes: stale queue entries are skipped */
  int streaming;  /* a stream is in progress: further requests wait in the buffer */
  int sent;
  size_t inlen;
  char in[INBUF];
} conn_t;

typedef struct { int fd; uint32_t gen; int64_t due; } entry_t;

static conn_t *conns[MAXFD];
static entry_t *ring;
static size_t ring_cap, ring_head, ring_len;
static int chunks = 64;
static int64_t interval_ns = 20000000;
static char *first_buf, *chunk_buf, *last_buf, *plain_buf, *headlast_buf;
static size_t first_len, chunk_len, last_len, plain_len, headlast_len;
static int ep, tfd;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void arm(void) {
  struct itimerspec it = {0};
  if (ring_len > 0) {
    int64_t due = ring[ring_head].due;
    it.it_value.tv_sec = due / 1000000000;
    it.it_value.tv_nsec = due % 1000000000;
    if (it.it_value.tv_sec == 0 && it.it_value.tv_nsec == 0) it.it_value.tv_nsec = 1;
  }
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &it, NULL);
}

static void push(int fd, uint32_t gen, int64_t due) {
  if (ring_len == ring_cap) {
    size_t ncap = ring_cap ? ring_cap * 2 : 4096;
    entry_t *n = malloc(ncap * sizeof *n);
    for (size_t i = 0; i < ring_len; i++) n[i] = ring[(ring_head + i) % ring_cap];
    free(ring);
    ring = n;
    ring_cap = ncap;
    ring_head = 0;
  }
  ring[(ring_head + ring_len) % ring_cap] = (entry_t){fd, gen, due};
  ring_len++;
}

static void close_conn(int fd) {
  conn_t *c = conns[fd];
  if (!c || !c->open) return;
  c->open = 0;
  c->gen++;
  c->streaming = 0;
  c->inlen = 0;
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
}

static int send_all(int fd, const char *p, size_t n) {
  /* Frames are small and the reader is local: a short write means a stuck peer; drop it. */
  ssize_t w = write(fd, p, n);
  if (w != (ssize_t)n) {
    close_conn(fd);
    return -1;
  }
  return 0;
}

static void parse(int fd) {
  conn_t *c = conns[fd];
  while (c->open && !c->streaming) {
    char *end = memmem(c->in, c->inlen, "\r\n\r\n", 4);
    if (!end) return;
    size_t headlen = (size_t)(end - c->in) + 4;
    size_t bodylen = 0;
    for (char *p = c->in; p < end; p++) {
      if ((p == c->in || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0) {
        bodylen = strtoul(p + 15, NULL, 10);
        break;
      }
    }
    if (headlen + bodylen > INBUF) { close_conn(fd); return; }
    if (c->inlen < headlen + bodylen) return;
    int stream = memmem(c->in + headlen, bodylen, "\"stream\":true", 13) != NULL;
    memmove(c->in, c->in + headlen + bodylen, c->inlen - headlen - bodylen);
    c->inlen -= headlen + bodylen;
    if (stream) {
      c->streaming = 1;
      c->sent = 0;
      int was_empty = ring_len == 0;
      push(fd, c->gen, now_ns() + interval_ns);
      if (was_empty) arm();
    } else if (send_all(fd, plain_buf, plain_len) < 0) {
      return;
    }
  }
}

static void fire(void) {
  int64_t now = now_ns();
  while (ring_len > 0 && ring[ring_head].due <= now) {
    entry_t e = ring[ring_head];
    ring_head = (ring_head + 1) % ring_cap;
    ring_len--;
    conn_t *c = conns[e.fd];
    if (!c || !c->open || c->gen != e.gen || !c->streaming) continue;
    c->sent++;
    if (c->sent >= chunks) {
      c->streaming = 0;
      if (send_all(e.fd, c->sent == 1 ? headlast_buf : last_buf, c->sent == 1 ? headlast_len : last_len) == 0) parse(e.fd);
      continue;
    }
    if (send_all(e.fd, c->sent == 1 ? first_buf : chunk_buf, c->sent == 1 ? first_len : chunk_len) == 0) push(e.fd, e.gen, e.due + interval_ns);
  }
  arm();
}

static char *dup_printf(size_t *len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static char *dup_printf(size_t *len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  int n = vasprintf(&s, fmt, ap);
  va_end(ap);
  *len = (size_t)n;
  return s;
}

int main(void) {
  const char *e;
  if ((e = getenv("CHUNKS"))) chunks = atoi(e);
  if ((e = getenv("INTERVAL"))) interval_ns = (int64_t)(atof(e) * 1e6);
  int port = (e = getenv("PORT")) ? atoi(e) : 0;
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  const char *ev = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok \"}}]}\n\n";
  const char *done = "data: [DONE]\n\n";
  const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n";
  const char *answer = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"bench\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I help you today?\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}";
  size_t evl = strlen(ev), dl = strlen(done);
  chunk_buf = dup_printf(&chunk_len, "%zx\r\n%s\r\n", evl, ev);
  first_buf = dup_printf(&first_len, "%s%s", head, chunk_buf);
  last_buf = dup_printf(&last_len, "%s%zx\r\n%s\r\n0\r\n\r\n", chunk_buf, dl, done);
  headlast_buf = dup_printf(&headlast_len, "%s%s", head, last_buf);
  plain_buf = dup_printf(&plain_len, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: keep-alive\r\n\r\n%s", strlen(answer), answer);

  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 4096) < 0) { perror("listen"); return 1; }
  socklen_t al = sizeof a;
  getsockname(ls, (struct sockaddr *)&a, &al);
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);

  ep = epoll_create1(0);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct epoll_event lev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &lev);
  struct epoll_event tev = {.events = EPOLLIN, .data.fd = tfd};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);

  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0) { if (errno == EINTR) continue; perror("epoll_wait"); return 1; }
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        for (;;) {
          int cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
          if (cfd < 0) break;
          if (cfd >= MAXFD) { close(cfd); continue; }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (!conns[cfd]) conns[cfd] = calloc(1, sizeof(conn_t));
          conn_t *c = conns[cfd];
          c->open = 1;
          c->streaming = 0;
          c->inlen = 0;
          struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = cfd};
          epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
        }
      } else if (fd == tfd) {
        uint64_t x;
        if (read(tfd, &x, sizeof x) < 0 && errno != EAGAIN) perror("timerfd");
        fire();
      } else {
        conn_t *c = conns[fd];
        if (!c || !c->open) continue;
        for (;;) {
          if (c->inlen == INBUF) { close_conn(fd); break; }
          ssize_t r = read(fd, c->in + c->inlen, INBUF - c->inlen);
          if (r > 0) { c->inlen += (size_t)r; continue; }
          if (r == 0 || (errno != EAGAIN && errno != EINTR)) close_conn(fd);
          break;
        }
        if (c->open) parse(fd);
      }
    }
  }
}
