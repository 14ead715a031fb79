/* deps_git.c: local git dependencies (deps_git.h).
 *
 * git is run with fork/execvp and its standard output captured through a
 * pipe (only rev-parse's one-line answer is read); its standard error goes
 * to a temporary file that is shown only when the command fails, so a
 * successful run prints nothing but snowc's own summary.
 */
#include "lang/compiler/deps_git.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GIT_OUT_MAX 256

bool deps_git_is_local(const char *url)
{
    if (strncmp(url, "file://", 7) == 0)
        return true;
    if (strstr(url, "://"))
        return false;
    /* scp-like `host:path` (a colon before any slash) is ssh. */
    const char *colon = strchr(url, ':');
    const char *slash = strchr(url, '/');
    return !(colon && (!slash || colon < slash));
}

/* Runs git with args (NULL-terminated, after the safety options). Captures
 * the first line of stdout into out[0..out_size) (out may be NULL). Returns
 * the exit status, or -1 if git could not be run. stderr goes to errfd. */
static int run_git(const char *const args[], char *out, size_t out_size, int errfd)
{
    const char *argv[32] = {"git", "-c", "protocol.allow=never", "-c",
                            "protocol.file.allow=always", "-c", "advice.detachedHead=false"};
    int n = 7;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(pipefd[1], STDOUT_FILENO);
        if (errfd >= 0)
            dup2(errfd, STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        setenv("GIT_TERMINAL_PROMPT", "0", 1);
        setenv("GIT_SSH_COMMAND", "false", 1);
        execvp("git", (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t got = 0;
    char buf[GIT_OUT_MAX];
    ssize_t r;
    while ((r = read(pipefd[0], buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR)) {
        if (r > 0 && out && got + 1 < out_size) {
            size_t room = out_size - 1 - got;
            size_t take = (size_t)r < room ? (size_t)r : room;
            memcpy(out + got, buf, take);
            got += take;
        }
    }
    close(pipefd[0]);
    if (out && out_size) {
        out[got] = '\0';
        out[strcspn(out, "\r\n")] = '\0';
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Appends git's captured stderr (first line) to a message. */
static void git_failure(char *err, size_t err_size, int errfd, const char *what)
{
    char line[200] = "";
    if (errfd >= 0 && lseek(errfd, 0, SEEK_SET) == 0) {
        ssize_t n = read(errfd, line, sizeof line - 1);
        line[n > 0 ? n : 0] = '\0';
        line[strcspn(line, "\r\n")] = '\0';
    }
    snprintf(err, err_size, "%s%s%s", what, *line ? ": " : "", line);
}

/* The repository path for url: file:// stripped, relative paths joined to
 * base_dir, then made absolute. Returns 0 or -1 (not a directory). */
static int local_repo(const char *url, const char *base_dir, char *out, size_t size)
{
    const char *p = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
    char joined[PATH_MAX];
    if (p[0] == '/')
        snprintf(joined, sizeof joined, "%s", p);
    else
        snprintf(joined, sizeof joined, "%s/%s", base_dir, p);
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(joined, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
        return -1;
    snprintf(out, size, "%s", real);
    return 0;
}

/* The rev-parse argument for spec's ref. */
static void ref_expr(const deps_spec_t *spec, char *out, size_t size)
{
    switch (spec->ref_kind) {
    case DEPS_REF_REV: snprintf(out, size, "%s^{commit}", spec->ref); break;
    case DEPS_REF_BRANCH: snprintf(out, size, "refs/remotes/origin/%s^{commit}", spec->ref); break;
    case DEPS_REF_TAG: snprintf(out, size, "refs/tags/%s^{commit}", spec->ref); break;
    default: snprintf(out, size, "refs/remotes/origin/HEAD^{commit}"); break;
    }
}

static void make_dirs(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0777);
        *p = '/';
    }
    mkdir(path, 0777);
}

/* Clones repo into checkout, or fetches it again when already cloned. */
static int clone_or_fetch(const char *repo, const char *checkout, int errfd)
{
    char git_dir[PATH_MAX + 8];
    snprintf(git_dir, sizeof git_dir, "%s/.git", checkout);
    struct stat st;
    if (stat(git_dir, &st) != 0) {
        const char *clone[] = {"clone", "--quiet", "--no-checkout", "--", repo, checkout, NULL};
        return run_git(clone, NULL, 0, errfd);
    }
    const char *set_url[] = {"-C", checkout, "remote", "set-url", "origin", repo, NULL};
    const char *fetch[] = {"-C", checkout, "fetch", "--quiet", "--force", "--tags", "--prune",
                           "origin", NULL};
    int rc = run_git(set_url, NULL, 0, errfd);
    return rc != 0 ? rc : run_git(fetch, NULL, 0, errfd);
}

static bool is_commit_id(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == DEPS_COMMIT_LEN && s[n] == '\0';
}

int deps_git_fetch(const deps_spec_t *spec, const char *base_dir, const char *cache_dir,
                   char commit[DEPS_COMMIT_LEN + 1], char *checkout, size_t checkout_size,
                   char *err, size_t err_size)
{
    if (!deps_git_is_local(spec->location)) {
        snprintf(err, err_size,
                 "dependency '%s': cannot fetch git repository '%s': snowc deps resolves only "
                 "local repositories (a path or a file:// URL) and makes no network connections",
                 spec->name, spec->location);
        return -1;
    }
    char repo[PATH_MAX];
    if (local_repo(spec->location, base_dir, repo, sizeof repo) < 0) {
        snprintf(err, err_size, "dependency '%s': git repository '%s' not found", spec->name,
                 spec->location);
        return -1;
    }
    make_dirs(cache_dir);
    snprintf(checkout, checkout_size, "%s/%s", cache_dir, spec->name);
    char errpath[] = "/tmp/snowc-git-XXXXXX";
    int errfd = mkstemp(errpath);
    if (errfd >= 0)
        unlink(errpath);
    char what[512];
    int rc = -1;
    if (clone_or_fetch(repo, checkout, errfd) != 0) {
        snprintf(what, sizeof what, "dependency '%s': git could not read '%s'", spec->name,
                 spec->location);
        goto fail;
    }
    char expr[600];
    ref_expr(spec, expr, sizeof expr);
    const char *parse[] = {"-C", checkout, "rev-parse", "--verify", "--quiet", "--end-of-options",
                           expr, NULL};
    if (run_git(parse, commit, DEPS_COMMIT_LEN + 1, errfd) != 0 || !is_commit_id(commit)) {
        if (spec->ref_kind == DEPS_REF_NONE)
            snprintf(what, sizeof what, "dependency '%s': '%s' has no default branch",
                     spec->name, spec->location);
        else
            snprintf(what, sizeof what, "dependency '%s': %s '%s' not found in '%s'", spec->name,
                     deps_ref_key(spec->ref_kind), spec->ref, spec->location);
        goto fail;
    }
    const char *co[] = {"-C", checkout, "checkout", "--quiet", "--force", "--detach", commit, NULL};
    if (run_git(co, NULL, 0, errfd) != 0) {
        snprintf(what, sizeof what, "dependency '%s': cannot check out %s", spec->name, commit);
        goto fail;
    }
    rc = 0;
    goto done;
fail:
    git_failure(err, err_size, errfd, what);
done:
    if (errfd >= 0)
        close(errfd);
    return rc;
}
