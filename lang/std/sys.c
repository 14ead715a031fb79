/* sys.c: output, input, files and environment (see sys.h).
 *
 * stdout is line-buffered: a call that completes one or more lines writes
 * every complete line with one write(2), so lines are never split; a partial
 * line waits in snow_rt_t until its newline, an exit, a panic, a stderr
 * write or a stdin read (D29). */
#define _GNU_SOURCE /* pthread_getattr_np, memmem, memrchr, GNU strerror_r */
#include "lang/std/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/std/alloc.h"
#include "lang/std/ctx.h"
#include "lang/std/str.h"

static const char utf8_error[] = "stream did not contain valid UTF-8";

/* {====== Output */

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* a closed pipe raises SIGPIPE first (stdlib 2.2) */
        }
        p += w;
        n -= (size_t)w;
    }
}

static void out_append(snow_rt_t *rt, const char *p, size_t n)
{
    if (n == 0)
        return; /* rt->out may still be NULL: memcpy(NULL, p, 0) is undefined */
    if (rt->out_len + n > rt->out_cap) {
        size_t cap = rt->out_cap ? rt->out_cap : 256;
        while (cap < rt->out_len + n)
            cap *= 2;
        rt->out = std_rt_realloc(rt->out, cap);
        rt->out_cap = cap;
    }
    memcpy(rt->out + rt->out_len, p, n);
    rt->out_len += n;
}

/* Writes every complete line of the pending output. */
static void out_flush_lines(snow_rt_t *rt)
{
    if (rt->out_len == 0)
        return;
    const char *nl = memrchr(rt->out, '\n', rt->out_len);
    if (!nl)
        return;
    size_t n = (size_t)(nl - rt->out) + 1;
    write_all(1, rt->out, n);
    memmove(rt->out, rt->out + n, rt->out_len - n);
    rt->out_len -= n;
}

void snow_print(snow_ctx_t *cx, const snow_string_t *s)
{
    snow_rt_t *rt = cx->rt;
    pthread_mutex_lock(&rt->io_lock);
    if (rt->out_len == 0 && s->len && s->bytes[s->len - 1] == '\n') {
        write_all(1, s->bytes, s->len);
    } else {
        out_append(rt, s->bytes, s->len);
        out_flush_lines(rt);
    }
    pthread_mutex_unlock(&rt->io_lock);
}

void snow_println(snow_ctx_t *cx, const snow_string_t *s)
{
    snow_rt_t *rt = cx->rt;
    pthread_mutex_lock(&rt->io_lock);
    out_append(rt, s->bytes, s->len);
    out_append(rt, "\n", 1);
    write_all(1, rt->out, rt->out_len);
    rt->out_len = 0;
    pthread_mutex_unlock(&rt->io_lock);
}

static void flush_locked(snow_rt_t *rt)
{
    if (rt->out_len) {
        write_all(1, rt->out, rt->out_len);
        rt->out_len = 0;
    }
}

void snow_io_flush(snow_ctx_t *cx)
{
    pthread_mutex_lock(&cx->rt->io_lock);
    flush_locked(cx->rt);
    pthread_mutex_unlock(&cx->rt->io_lock);
}

void snow_io_eprintln(snow_ctx_t *cx, const snow_string_t *s)
{
    char *line = std_rt_alloc(s->len + 1);
    memcpy(line, s->bytes, s->len);
    line[s->len] = '\n';
    pthread_mutex_lock(&cx->rt->io_lock);
    flush_locked(cx->rt);
    write_all(2, line, s->len + 1);
    pthread_mutex_unlock(&cx->rt->io_lock);
    std_rt_free(line);
}

/* }====== */

/* {====== Input */

snow_string_t *std_os_error(snow_ctx_t *cx, int err)
{
    char tmp[256], out[320];
    const char *text = strerror_r(err, tmp, sizeof tmp);
    int n = snprintf(out, sizeof out, "%s (os error %d)", text, err);
    return snow_string_new(cx, out, (size_t)n);
}

/* Reads more stdin into rt->in; returns bytes read, 0 at EOF, -errno. */
static ssize_t in_fill(snow_rt_t *rt)
{
    if (rt->in_pos > 0) {
        memmove(rt->in, rt->in + rt->in_pos, rt->in_len - rt->in_pos);
        rt->in_len -= rt->in_pos;
        rt->in_pos = 0;
    }
    if (rt->in_cap - rt->in_len < 4096) {
        rt->in_cap = rt->in_cap ? rt->in_cap * 2 : 8192;
        rt->in = std_rt_realloc(rt->in, rt->in_cap);
    }
    for (;;) {
        ssize_t n = read(0, rt->in + rt->in_len, rt->in_cap - rt->in_len);
        if (n >= 0) {
            rt->in_len += (size_t)n;
            return n;
        }
        if (errno != EINTR)
            return -errno;
    }
}

/* Takes the next line out of the stdin buffer into a new runtime copy
 * (*line, *len; *line NULL at EOF with nothing left). Returns 0 or -errno.
 * Called with in_lock held. */
static int take_line(snow_rt_t *rt, char **line, size_t *len)
{
    size_t scanned = 0;
    const char *nl = NULL;
    for (;;) {
        size_t avail = rt->in_len - rt->in_pos;
        nl = avail > scanned ? memchr(rt->in + rt->in_pos + scanned, '\n', avail - scanned) : NULL;
        if (nl || rt->in_eof)
            break;
        scanned = avail;
        ssize_t n = in_fill(rt);
        if (n < 0)
            return (int)n;
        if (n == 0)
            rt->in_eof = true;
    }
    const char *start = rt->in ? rt->in + rt->in_pos : "";
    size_t n = nl ? (size_t)(nl - start) : rt->in_len - rt->in_pos;
    rt->in_pos += nl ? n + 1 : n;
    if (nl && n > 0 && start[n - 1] == '\r')
        n--;
    *line = std_rt_alloc(n + 1);
    memcpy(*line, start, n);
    *len = n;
    return 0;
}

/* The heap string is made after the lock is released: allocating may
 * collect, and a collection must never wait for another process. */
snow_record_t *snow_io_read_line(snow_ctx_t *cx)
{
    snow_rt_t *rt = cx->rt;
    char *line = NULL;
    size_t len = 0;
    snow_io_flush(cx); /* D29: a prompt shows before the read */
    pthread_mutex_lock(&rt->in_lock);
    int rc = take_line(rt, &line, &len);
    pthread_mutex_unlock(&rt->in_lock);
    if (rc < 0)
        return std_err(cx, std_os_error(cx, -rc));
    snow_record_t *r;
    if (!std_utf8_valid(line, len))
        r = std_err(cx, std_str_from_cstr(cx, utf8_error));
    else
        r = std_ok(cx, SNOW_WORD_PTR(snow_string_new(cx, line, len)), true);
    std_rt_free(line);
    return r;
}

/* }====== */

/* {====== File (stdlib 14) */

snow_record_t *snow_file_read(snow_ctx_t *cx, const snow_string_t *path)
{
    int fd = open(path->bytes, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std_err(cx, std_os_error(cx, errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 65536;
            buf = std_rt_realloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            std_rt_free(buf);
            return std_err(cx, std_os_error(cx, err));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    snow_record_t *r;
    if (!std_utf8_valid(buf, len))
        r = std_err(cx, std_str_from_cstr(cx, utf8_error));
    else
        r = std_ok(cx, SNOW_WORD_PTR(snow_string_new(cx, buf, len)), true);
    std_rt_free(buf);
    return r;
}

static snow_record_t *file_put(snow_ctx_t *cx, const snow_string_t *path,
                               const snow_string_t *content, int flags)
{
    int fd = open(path->bytes, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
    if (fd < 0)
        return std_err(cx, std_os_error(cx, errno));
    const char *p = content->bytes;
    size_t n = content->len;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int err = errno;
            close(fd);
            return std_err(cx, std_os_error(cx, err));
        }
        p += w;
        n -= (size_t)w;
    }
    if (close(fd) < 0)
        return std_err(cx, std_os_error(cx, errno));
    return std_ok(cx, 0, false);
}

snow_record_t *snow_file_write(snow_ctx_t *cx, const snow_string_t *path,
                               const snow_string_t *content)
{
    return file_put(cx, path, content, O_TRUNC);
}

snow_record_t *snow_file_append(snow_ctx_t *cx, const snow_string_t *path,
                                const snow_string_t *content)
{
    return file_put(cx, path, content, O_APPEND);
}

bool snow_file_exists(snow_ctx_t *cx, const snow_string_t *path)
{
    (void)cx;
    struct stat st;
    return stat(path->bytes, &st) == 0;
}

snow_record_t *snow_file_delete(snow_ctx_t *cx, const snow_string_t *path)
{
    if (unlink(path->bytes) < 0) {
        int err = errno;
        struct stat st;
        /* Linux unlink on a directory says EISDIR; keep that text (14.1). */
        if (err == EPERM && stat(path->bytes, &st) == 0 && S_ISDIR(st.st_mode))
            err = EISDIR;
        return std_err(cx, std_os_error(cx, err));
    }
    return std_ok(cx, 0, false);
}

/* }====== */

/* {====== Env (stdlib 15) */

snow_record_t *snow_env_get(snow_ctx_t *cx, const snow_string_t *name)
{
    if (name->len == 0 || memchr(name->bytes, '=', name->len) || memchr(name->bytes, 0, name->len))
        return std_none();
    const char *v = getenv(name->bytes);
    if (!v || !std_utf8_valid(v, strlen(v)))
        return std_none();
    return std_some(cx, SNOW_WORD_PTR(std_str_from_cstr(cx, v)), true);
}

/* }====== */
