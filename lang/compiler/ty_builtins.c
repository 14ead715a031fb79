/* ty_builtins.c: built-in types and the stdlib signature table.
 *
 * The signatures of stdlib.md 1.3 (and services.md for HTTP, databases,
 * WebSocket and distribution) are written below as text in Snow's own type
 * syntax and parsed once per compilation into schemes: single upper-case
 * letters are the quantified variables. Functions typed by a rule rather
 * than a signature (Tuple.nth, Math.abs, to_string, ...) carry a
 * TY_SPECIAL_* code that ty_call.c applies after the ordinary unification.
 *
 * The legacy flat aliases of stdlib.md 24 (string_length, list_map, ...) are
 * generated from the table: `<module in lower case>_<name>` (D42).
 */
#include <ctype.h>
#include <string.h>

#include "lang/compiler/ty_check.h"

typedef struct {
    const char *module; /* NULL = prelude */
    const char *name;
    const char *sig;
    bool method;
    uint32_t special;
    bool alias; /* generate the module_name flat alias (stdlib.md 24) */
} sig_row_t;

#define M true
#define A true
static const sig_row_t table[] = {
    /* prelude (stdlib.md 3) */
    {NULL, "println", "(String) -> ()", 0, 0, 0},
    {NULL, "print", "(String) -> ()", 0, 0, 0},
    {NULL, "map", "(List<T>, Fun(T) -> U) -> List<U>", 0, 0, 0},
    {NULL, "filter", "(List<T>, Fun(T) -> Bool) -> List<T>", 0, 0, 0},
    {NULL, "reduce", "(List<T>, U, Fun(U, T) -> U) -> U", 0, 0, 0},
    {NULL, "head", "(List<T>) -> T", 0, 0, 0},
    {NULL, "tail", "(List<T>) -> List<T>", 0, 0, 0},
    {NULL, "default", "() -> T", 0, TY_SPECIAL_DEFAULT, 0},
    {NULL, "compare", "(T, T) -> Ordering", 0, TY_SPECIAL_COMPARE, 0},
    {NULL, "to_string", "(T) -> String", 0, TY_SPECIAL_TO_STRING, 0},
    {NULL, "inspect", "(T) -> String", 0, TY_SPECIAL_INSPECT, 0},
    {NULL, "hash", "(T) -> Int", 0, TY_SPECIAL_HASH, 0},
    /* IO */
    {"IO", "read_line", "() -> Result<String, String>", 0, 0, A},
    {"IO", "eprintln", "(String) -> ()", 0, 0, A},
    /* String */
    {"String", "length", "(String) -> Int", M, 0, A},
    {"String", "slice", "(String, Int, Int) -> String", M, 0, A},
    {"String", "contains", "(String, String) -> Bool", M, 0, A},
    {"String", "starts_with", "(String, String) -> Bool", M, 0, A},
    {"String", "ends_with", "(String, String) -> Bool", M, 0, A},
    {"String", "trim", "(String) -> String", M, 0, A},
    {"String", "to_upper", "(String) -> String", M, 0, A},
    {"String", "to_lower", "(String) -> String", M, 0, A},
    {"String", "replace", "(String, String, String) -> String", M, 0, A},
    {"String", "split", "(String, String) -> List<String>", M, 0, A},
    {"String", "join", "(List<String>, String) -> String", M, 0, A},
    {"String", "to_int", "(String) -> Option<Int>", M, 0, A},
    {"String", "to_float", "(String) -> Option<Float>", M, 0, A},
    /* List */
    {"List", "new", "() -> List<T>", M, 0, A},
    {"List", "length", "(List<T>) -> Int", M, 0, A},
    {"List", "append", "(List<T>, T) -> List<T>", M, 0, A},
    {"List", "head", "(List<T>) -> T", M, 0, A},
    {"List", "tail", "(List<T>) -> List<T>", M, 0, A},
    {"List", "get", "(List<T>, Int) -> T", M, 0, A},
    {"List", "concat", "(List<T>, List<T>) -> List<T>", M, 0, A},
    {"List", "reverse", "(List<T>) -> List<T>", M, 0, A},
    {"List", "map", "(List<T>, Fun(T) -> U) -> List<U>", M, 0, A},
    {"List", "filter", "(List<T>, Fun(T) -> Bool) -> List<T>", M, 0, A},
    {"List", "reduce", "(List<T>, U, Fun(U, T) -> U) -> U", M, 0, A},
    {"List", "sort", "(List<T>, Fun(T, T) -> Int) -> List<T>", M, 0, A},
    {"List", "find", "(List<T>, Fun(T) -> Bool) -> Option<T>", M, 0, A},
    {"List", "any", "(List<T>, Fun(T) -> Bool) -> Bool", M, 0, A},
    {"List", "all", "(List<T>, Fun(T) -> Bool) -> Bool", M, 0, A},
    {"List", "contains", "(List<T>, T) -> Bool", M, 0, A},
    {"List", "zip", "(List<T>, List<U>) -> List<(T, U)>", M, 0, A},
    {"List", "flat_map", "(List<T>, Fun(T) -> List<U>) -> List<U>", M, 0, A},
    {"List", "flatten", "(List<List<T>>) -> List<T>", M, 0, A},
    {"List", "enumerate", "(List<T>) -> List<(Int, T)>", M, 0, A},
    {"List", "take", "(List<T>, Int) -> List<T>", M, 0, A},
    {"List", "drop", "(List<T>, Int) -> List<T>", M, 0, A},
    {"List", "last", "(List<T>) -> T", M, 0, A},
    {"List", "nth", "(List<T>, Int) -> T", M, 0, A},
    /* Map */
    {"Map", "new", "() -> Map<K, V>", M, 0, A},
    {"Map", "put", "(Map<K, V>, K, V) -> Map<K, V>", M, 0, A},
    {"Map", "get", "(Map<K, V>, K) -> V", M, 0, A},
    {"Map", "has_key", "(Map<K, V>, K) -> Bool", M, 0, A},
    {"Map", "delete", "(Map<K, V>, K) -> Map<K, V>", M, 0, A},
    {"Map", "size", "(Map<K, V>) -> Int", M, 0, A},
    {"Map", "keys", "(Map<K, V>) -> List<K>", M, 0, A},
    {"Map", "values", "(Map<K, V>) -> List<V>", M, 0, A},
    {"Map", "merge", "(Map<K, V>, Map<K, V>) -> Map<K, V>", M, 0, A},
    {"Map", "to_list", "(Map<K, V>) -> List<(K, V)>", M, 0, A},
    {"Map", "from_list", "(List<(K, V)>) -> Map<K, V>", M, 0, A},
    /* Set */
    {"Set", "new", "() -> Set", M, 0, A},
    {"Set", "add", "(Set, Int) -> Set", M, 0, A},
    {"Set", "remove", "(Set, Int) -> Set", M, 0, A},
    {"Set", "contains", "(Set, Int) -> Bool", M, 0, A},
    {"Set", "size", "(Set) -> Int", M, 0, A},
    {"Set", "union", "(Set, Set) -> Set", M, 0, A},
    {"Set", "intersection", "(Set, Set) -> Set", M, 0, A},
    {"Set", "difference", "(Set, Set) -> Set", M, 0, A},
    {"Set", "to_list", "(Set) -> List<Int>", M, 0, A},
    {"Set", "from_list", "(List<Int>) -> Set", M, 0, A},
    /* Queue */
    {"Queue", "new", "() -> Queue", 0, 0, A},
    {"Queue", "push", "(Queue, Int) -> Queue", 0, 0, A},
    {"Queue", "pop", "(Queue) -> (Int, Queue)", 0, 0, A},
    {"Queue", "peek", "(Queue) -> Int", 0, 0, A},
    {"Queue", "size", "(Queue) -> Int", 0, 0, A},
    {"Queue", "is_empty", "(Queue) -> Bool", 0, 0, A},
    /* Range */
    {"Range", "new", "(Int, Int) -> Range", M, 0, A},
    {"Range", "to_list", "(Range) -> List<Int>", M, 0, A},
    {"Range", "map", "(Range, Fun(Int) -> Int) -> List<Int>", M, 0, A},
    {"Range", "filter", "(Range, Fun(Int) -> Bool) -> List<Int>", M, 0, A},
    {"Range", "length", "(Range) -> Int", M, 0, A},
    /* Tuple (D50): typed by rule from the argument's tuple type */
    {"Tuple", "nth", "(T, Int) -> U", 0, TY_SPECIAL_TUPLE_NTH, A},
    {"Tuple", "first", "(T) -> U", 0, TY_SPECIAL_TUPLE_FIRST, A},
    {"Tuple", "second", "(T) -> U", 0, TY_SPECIAL_TUPLE_SECOND, A},
    {"Tuple", "size", "(T) -> Int", 0, TY_SPECIAL_TUPLE_SIZE, A},
    /* Math, Int, Float */
    {"Math", "abs", "(T) -> T", 0, TY_SPECIAL_NUMERIC, 0},
    {"Math", "min", "(T, T) -> T", 0, TY_SPECIAL_NUMERIC, 0},
    {"Math", "max", "(T, T) -> T", 0, TY_SPECIAL_NUMERIC, 0},
    {"Math", "pi", "Float", 0, 0, 0},
    {"Math", "pow", "(Float, Float) -> Float", 0, 0, 0},
    {"Math", "sqrt", "(Float) -> Float", 0, 0, 0},
    {"Math", "floor", "(Float) -> Int", 0, 0, 0},
    {"Math", "ceil", "(Float) -> Int", 0, 0, 0},
    {"Math", "round", "(Float) -> Int", 0, 0, 0},
    {"Int", "to_float", "(Int) -> Float", 0, 0, 0},
    {"Float", "to_int", "(Float) -> Int", 0, 0, 0},
    /* File, Env */
    {"File", "read", "(String) -> Result<String, String>", 0, 0, A},
    {"File", "write", "(String, String) -> Result<(), String>", 0, 0, A},
    {"File", "append", "(String, String) -> Result<(), String>", 0, 0, A},
    {"File", "exists", "(String) -> Bool", 0, 0, A},
    {"File", "delete", "(String) -> Result<(), String>", 0, 0, A},
    {"Env", "get", "(String) -> Option<String>", 0, 0, A},
    /* JSON / Json (D56, D57) */
    {"JSON", "parse", "(String) -> Result<Json, String>", 0, 0, A},
    {"JSON", "encode", "(Json) -> String", 0, 0, A},
    {"JSON", "encode_string", "(String) -> String", 0, 0, A},
    {"JSON", "encode_int", "(Int) -> String", 0, 0, A},
    {"JSON", "encode_bool", "(Bool) -> String", 0, 0, A},
    {"JSON", "encode_map", "(Map<String, String>) -> String", 0, 0, A},
    {"JSON", "encode_list", "(List<String>) -> String", 0, 0, A},
    {"Json", "parse", "(String) -> Result<Json, String>", 0, 0, 0},
    {"Json", "encode", "(T) -> String", 0, TY_SPECIAL_JSON_ENCODE, 0},
    {"Json", "encode_string", "(String) -> String", 0, 0, 0},
    {"Json", "encode_int", "(Int) -> String", 0, 0, 0},
    {"Json", "encode_bool", "(Bool) -> String", 0, 0, 0},
    {"Json", "encode_map", "(Map<String, String>) -> String", 0, 0, 0},
    {"Json", "encode_list", "(List<String>) -> String", 0, 0, 0},
    /* Process, Timer, Job (D64, D66, D70) */
    {"Process", "monitor", "(Pid) -> Int", 0, 0, 0},
    {"Process", "demonitor", "(Int) -> Int", 0, 0, 0},
    {"Process", "trap_exit", "(Bool) -> ()", 0, 0, 0},
    {"Process", "register", "(String, Pid) -> Int", 0, 0, 0},
    {"Process", "whereis", "(String) -> Pid", 0, 0, 0},
    {"Timer", "sleep", "(Int) -> ()", 0, 0, 0},
    {"Timer", "send_after", "(Pid<T>, Int, T) -> ()", 0, 0, 0},
    {"Job", "async", "(Fun() -> T) -> Pid<T>", 0, 0, 0},
    {"Job", "await", "(Pid<T>) -> Result<T, String>", 0, 0, 0},
    {"Job", "await_timeout", "(Pid<T>, Int) -> Result<T, String>", 0, 0, 0},
    {"Job", "map", "(List<A>, Fun(A) -> B) -> List<Result<B, String>>", 0, 0, 0},
    /* HTTP (services.md 1) */
    {"HTTP", "router", "() -> Router", 0, 0, A},
    {"HTTP", "route", "(Router, String, Fun(Request) -> Response) -> Router", 0, 0, A},
    {"HTTP", "on_get", "(Router, String, Fun(Request) -> Response) -> Router", 0, 0, A},
    {"HTTP", "on_post", "(Router, String, Fun(Request) -> Response) -> Router", 0, 0, A},
    {"HTTP", "on_put", "(Router, String, Fun(Request) -> Response) -> Router", 0, 0, A},
    {"HTTP", "on_delete", "(Router, String, Fun(Request) -> Response) -> Router", 0, 0, A},
    {"HTTP", "use", "(Router, Fun(Request, Fun(Request) -> Response) -> Response) -> Router", 0, 0,
     A},
    {"HTTP", "serve", "(Router, Int) -> ()", 0, 0, A},
    {"HTTP", "serve_tls", "(Router, Int, String, String) -> ()", 0, 0, A},
    {"HTTP", "response", "(Int, String) -> Response", 0, 0, A},
    {"HTTP", "get", "(String) -> Result<String, String>", 0, 0, A},
    {"HTTP", "post", "(String, String) -> Result<String, String>", 0, 0, A},
    {"Request", "method", "(Request) -> String", 0, 0, A},
    {"Request", "path", "(Request) -> String", 0, 0, A},
    {"Request", "body", "(Request) -> String", 0, 0, A},
    {"Request", "header", "(Request, String) -> Option<String>", 0, 0, A},
    {"Request", "query", "(Request, String) -> Option<String>", 0, 0, A},
    {"Request", "param", "(Request, String) -> Option<String>", 0, 0, A},
    /* Sqlite, Pg, Pool (services.md 4-6) */
    {"Sqlite", "open", "(String) -> Result<SqliteConn, String>", 0, 0, A},
    {"Sqlite", "close", "(SqliteConn) -> ()", 0, 0, A},
    {"Sqlite", "execute", "(SqliteConn, String, List<String>) -> Result<Int, String>", 0, 0, A},
    {"Sqlite", "query",
     "(SqliteConn, String, List<String>) -> Result<List<Map<String, String>>, String>", 0, 0, A},
    {"Sqlite", "begin", "(SqliteConn) -> Result<(), String>", 0, 0, A},
    {"Sqlite", "commit", "(SqliteConn) -> Result<(), String>", 0, 0, A},
    {"Sqlite", "rollback", "(SqliteConn) -> Result<(), String>", 0, 0, A},
    {"Pg", "connect", "(String) -> Result<PgConn, String>", 0, 0, A},
    {"Pg", "close", "(PgConn) -> ()", 0, 0, A},
    {"Pg", "execute", "(PgConn, String, List<String>) -> Result<Int, String>", 0, 0, A},
    {"Pg", "query", "(PgConn, String, List<String>) -> Result<List<Map<String, String>>, String>",
     0, 0, A},
    {"Pg", "query_as",
     "(PgConn, String, List<String>, Fun(Map<String, String>) -> Result<T, String>) -> "
     "Result<List<Result<T, String>>, String>",
     0, 0, A},
    {"Pg", "begin", "(PgConn) -> Result<(), String>", 0, 0, A},
    {"Pg", "commit", "(PgConn) -> Result<(), String>", 0, 0, A},
    {"Pg", "rollback", "(PgConn) -> Result<(), String>", 0, 0, A},
    {"Pg", "transaction", "(PgConn, Fun(PgConn) -> Result<T, String>) -> Result<T, String>", 0, 0,
     A},
    {"Pool", "open", "(String, Int, Int, Int) -> Result<PoolHandle, String>", 0, 0, A},
    {"Pool", "close", "(PoolHandle) -> ()", 0, 0, A},
    {"Pool", "checkout", "(PoolHandle) -> Result<PgConn, String>", 0, 0, A},
    {"Pool", "checkin", "(PoolHandle, PgConn) -> ()", 0, 0, A},
    {"Pool", "execute", "(PoolHandle, String, List<String>) -> Result<Int, String>", 0, 0, A},
    {"Pool", "query",
     "(PoolHandle, String, List<String>) -> Result<List<Map<String, String>>, String>", 0, 0, A},
    {"Pool", "query_as",
     "(PoolHandle, String, List<String>, Fun(Map<String, String>) -> Result<T, String>) -> "
     "Result<List<Result<T, String>>, String>",
     0, 0, A},
    /* Ws (services.md 2; the callbacks' shapes are checked at run time, D95/D96) */
    {"Ws", "serve", "(A, Fun(WsConn, String) -> B, C, Int) -> ()", 0, 0, 0},
    {"Ws", "serve_tls", "(A, Fun(WsConn, String) -> B, C, Int, String, String) -> ()", 0, 0, 0},
    {"Ws", "send", "(WsConn, String) -> Int", 0, 0, 0},
    {"Ws", "send_binary", "(WsConn, String) -> Int", 0, 0, 0},
    {"Ws", "join", "(WsConn, String) -> Int", 0, 0, 0},
    {"Ws", "leave", "(WsConn, String) -> Int", 0, 0, 0},
    {"Ws", "broadcast", "(String, String) -> Int", 0, 0, 0},
    {"Ws", "broadcast_except", "(String, String, WsConn) -> Int", 0, 0, 0},
    /* Node, Global (services.md 7) */
    {"Node", "start", "(String, String) -> Int", 0, 0, 0},
    {"Node", "connect", "(String) -> Int", 0, 0, 0},
    {"Node", "self", "() -> String", 0, 0, 0},
    {"Node", "list", "() -> List<String>", 0, 0, 0},
    {"Node", "monitor", "(String) -> Int", 0, 0, 0},
    {"Node", "spawn", "() -> Pid", 0, TY_SPECIAL_NODE_SPAWN, 0},
    {"Node", "spawn_link", "() -> Pid", 0, TY_SPECIAL_NODE_SPAWN, 0},
    {"Global", "register", "(String, Pid) -> Int", 0, 0, 0},
    {"Global", "whereis", "(String) -> Pid", 0, 0, 0},
    {"Global", "unregister", "(String) -> Int", 0, 0, 0},
};
#undef M
#undef A

/* ================================================= signature parser */

typedef struct {
    ty_checker_t *ck;
    const char *p;
    ty_t *vars[8];
    sym_t names[8];
    uint32_t nvars;
} sp_t;

static void skip(sp_t *s)
{
    while (*s->p == ' ')
        s->p++;
}

static bool eat(sp_t *s, const char *tok)
{
    skip(s);
    size_t n = strlen(tok);
    if (strncmp(s->p, tok, n) != 0)
        return false;
    s->p += n;
    return true;
}

static ty_t *sp_type(sp_t *s);

static uint32_t sp_list(sp_t *s, ty_t **out, const char *close)
{
    uint32_t n = 0;
    if (eat(s, close))
        return 0;
    do {
        out[n++] = sp_type(s);
    } while (eat(s, ","));
    if (!eat(s, close))
        __builtin_trap(); /* the table above is malformed */
    return n;
}

static ty_t *sp_var(sp_t *s, sym_t name)
{
    for (uint32_t i = 0; i < s->nvars; i++)
        if (s->names[i] == name)
            return s->vars[i];
    ty_t *v = ty_fresh(s->ck);
    v->level = TY_LEVEL_GENERIC;
    v->name = name;
    s->names[s->nvars] = name;
    s->vars[s->nvars++] = v;
    return v;
}

static ty_t *sp_named(sp_t *s, sym_t name)
{
    ty_checker_t *ck = s->ck;
    ty_t *args[4];
    uint32_t n = eat(s, "<") ? sp_list(s, args, ">") : 0;
    if (name == ck->s.Int)
        return ty_prim(ck, TY_INT);
    if (name == ck->s.Float)
        return ty_prim(ck, TY_FLOAT);
    if (name == ck->s.Bool)
        return ty_prim(ck, TY_BOOL);
    if (name == ck->s.String)
        return ty_prim(ck, TY_STRING);
    if (strlen(name) == 1)
        return sp_var(s, name);
    ty_tent_t *te = ty_map_get(&ck->builtin_types, name);
    if (!te || te->kind != TY_TNS_DECL)
        __builtin_trap();
    return ty_con(ck->a, te->decl, args, n);
}

static ty_t *sp_base(sp_t *s)
{
    ty_checker_t *ck = s->ck;
    ty_t *args[8];
    skip(s);
    if (eat(s, "(")) {
        uint32_t n = sp_list(s, args, ")");
        if (eat(s, "->"))
            return ty_fun(ck, args, n, sp_type(s));
        return ty_tuple(ck, args, n);
    }
    if (eat(s, "Fun(")) {
        uint32_t n = sp_list(s, args, ")");
        if (!eat(s, "->"))
            __builtin_trap();
        return ty_fun(ck, args, n, sp_type(s));
    }
    const char *start = s->p;
    while (isalnum((unsigned char)*s->p) || *s->p == '_')
        s->p++;
    return sp_named(s, intern(ck->in, start, (size_t)(s->p - start)));
}

static ty_t *sp_type(sp_t *s)
{
    ty_t *t = sp_base(s);
    if (eat(s, "?"))
        return ty_con1(s->ck, TY_B_OPTION, t);
    return t;
}

static ty_scheme_t *parse_sig(ty_checker_t *ck, const char *sig)
{
    sp_t s = {.ck = ck, .p = sig};
    ty_t *t = sp_type(&s);
    ty_scheme_t *sc = ty_mono(ck, t);
    if (s.nvars) {
        sc->vars = ARENA_ARRAY(ck->a, ty_t *, s.nvars);
        memcpy(sc->vars, s.vars, s.nvars * sizeof(ty_t *));
        sc->nvars = s.nvars;
    }
    return sc;
}

/* ================================================== built-in types */

static ty_decl_t *mk_decl(ty_checker_t *ck, ty_builtin_t b, ty_decl_kind_t kind, uint32_t nparams)
{
    ty_decl_t *d = ARENA_NEW(ck->a, ty_decl_t);
    d->kind = kind;
    d->builtin = b;
    d->name = intern_cstr(ck->in, ty_builtin_name(b));
    d->nparams = nparams;
    d->is_pub = true;
    if (nparams) {
        d->params = ARENA_ARRAY(ck->a, ty_t *, nparams);
        static const char *const pn[] = {"T", "E"};
        for (uint32_t i = 0; i < nparams; i++) {
            d->params[i] = ty_fresh(ck);
            d->params[i]->level = TY_LEVEL_GENERIC;
            d->params[i]->name = intern_cstr(ck->in, pn[i]);
        }
    }
    ck->prog->builtins[b] = d;
    ty_tent_t *te = ARENA_NEW(ck->a, ty_tent_t);
    te->kind = TY_TNS_DECL;
    te->decl = d;
    ty_map_put(ck->a, &ck->builtin_types, d->name, te);
    return d;
}

/* Adds variants "Name" or "Name(sig, sig)" to a built-in sum type. */
static void add_variants(ty_checker_t *ck, ty_decl_t *d, const char *const *specs, uint32_t n)
{
    d->variants = ARENA_ARRAY(ck->a, ty_variant_t, n);
    d->nvariants = n;
    for (uint32_t i = 0; i < n; i++) {
        ty_variant_t *v = &d->variants[i];
        const char *paren = strchr(specs[i], '(');
        size_t len = paren ? (size_t)(paren - specs[i]) : strlen(specs[i]);
        v->sem_tag = TY_SEM_VARIANT;
        v->name = intern(ck->in, specs[i], len);
        v->index = i;
        v->decl = d;
        if (paren) {
            sp_t s = {.ck = ck, .p = paren + 1};
            for (uint32_t k = 0; k < d->nparams; k++) {
                s.names[k] = d->params[k]->name;
                s.vars[k] = d->params[k];
            }
            s.nvars = d->nparams;
            ty_t *args[4];
            uint32_t nf = sp_list(&s, args, ")");
            v->fields = ARENA_ARRAY(ck->a, ty_field_t, nf);
            for (uint32_t k = 0; k < nf; k++)
                v->fields[k].type = args[k];
            v->nfields = nf;
        }
        ty_map_put(ck->a, &ck->builtin_values, v->name, v);
    }
}

static void init_types(ty_checker_t *ck)
{
    static const struct {
        ty_builtin_t b;
        ty_decl_kind_t kind;
        uint32_t nparams;
    } decls[] = {
        {TY_B_LIST, TY_DECL_BUILTIN, 1},    {TY_B_MAP, TY_DECL_BUILTIN, 2},
        {TY_B_SET, TY_DECL_BUILTIN, 0},     {TY_B_QUEUE, TY_DECL_BUILTIN, 0},
        {TY_B_RANGE, TY_DECL_BUILTIN, 0},   {TY_B_TUPLE_ANY, TY_DECL_BUILTIN, 0},
        {TY_B_JSON, TY_DECL_BUILTIN, 0},    {TY_B_OPTION, TY_DECL_SUM, 1},
        {TY_B_RESULT, TY_DECL_SUM, 2},      {TY_B_ORDERING, TY_DECL_SUM, 0},
        {TY_B_PID, TY_DECL_BUILTIN, 0},     {TY_B_SYSTEMMSG, TY_DECL_SUM, 0},
        {TY_B_EXITREASON, TY_DECL_SUM, 0},  {TY_B_REQUEST, TY_DECL_BUILTIN, 0},
        {TY_B_RESPONSE, TY_DECL_BUILTIN, 0}, {TY_B_ROUTER, TY_DECL_BUILTIN, 0},
        {TY_B_SQLITECONN, TY_DECL_BUILTIN, 0}, {TY_B_PGCONN, TY_DECL_BUILTIN, 0},
        {TY_B_POOLHANDLE, TY_DECL_BUILTIN, 0}, {TY_B_WSCONN, TY_DECL_BUILTIN, 0},
    };
    for (size_t i = 0; i < sizeof decls / sizeof decls[0]; i++)
        mk_decl(ck, decls[i].b, decls[i].kind, decls[i].nparams);
    ty_map_put(ck->a, &ck->builtin_types, intern_cstr(ck->in, "JSON"),
               ty_map_get(&ck->builtin_types, ck->s.Json));

    static const char *const opt[] = {"Some(T)", "None"};
    static const char *const res[] = {"Ok(T)", "Err(E)"};
    static const char *const ord[] = {"Less", "Equal", "Greater"};
    static const char *const exr[] = {"Normal", "Shutdown", "Killed", "Noproc", "Noconnection",
                                      "Error(String)", "Linked(Pid, ExitReason)"};
    static const char *const sys[] = {"Down(Int, Pid, ExitReason)", "Exit(Pid, ExitReason)",
                                      "NodeUp(String)", "NodeDown(String)"};
    add_variants(ck, ck->prog->builtins[TY_B_OPTION], opt, 2);
    add_variants(ck, ck->prog->builtins[TY_B_RESULT], res, 2);
    add_variants(ck, ck->prog->builtins[TY_B_ORDERING], ord, 3);
    add_variants(ck, ck->prog->builtins[TY_B_EXITREASON], exr, 7);
    add_variants(ck, ck->prog->builtins[TY_B_SYSTEMMSG], sys, 4);
}

/* ================================================== the function table */

static void add_fn(ty_checker_t *ck, sym_t module, ty_builtin_fn_t *f)
{
    if (!module) {
        ty_map_put(ck->a, &ck->prelude, f->name, f);
        return;
    }
    ty_map_t *m = ty_map_get(&ck->stdlib, module);
    if (!m) {
        m = ARENA_NEW(ck->a, ty_map_t);
        ty_map_put(ck->a, &ck->stdlib, module, m);
    }
    ty_map_put(ck->a, m, f->name, f);
}

static const char *lower_prefix(ty_checker_t *ck, const char *module, const char *name)
{
    char buf[96];
    size_t n = 0;
    for (const char *p = module; *p && n < 40; p++)
        buf[n++] = (char)tolower((unsigned char)*p);
    buf[n++] = '_';
    size_t len = strlen(name);
    if (len > 50)
        len = 50;
    memcpy(buf + n, name, len);
    n += len;
    return intern(ck->in, buf, n);
}

void ty_builtins_init(ty_checker_t *ck)
{
    init_types(ck);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const sig_row_t *r = &table[i];
        ty_builtin_fn_t *f = ARENA_NEW(ck->a, ty_builtin_fn_t);
        f->module = r->module ? intern_cstr(ck->in, r->module) : NULL;
        f->name = intern_cstr(ck->in, r->name);
        f->c_name = r->module ? lower_prefix(ck, r->module, r->name) : f->name;
        f->scheme = parse_sig(ck, r->sig);
        f->method = r->method;
        f->special = r->special;
        add_fn(ck, f->module, f);
        if (r->alias)
            ty_map_put(ck->a, &ck->prelude, f->c_name, f);
    }
}

const ty_builtin_fn_t *ty_stdlib_lookup(ty_checker_t *ck, sym_t module, sym_t name)
{
    ty_map_t *m = ty_map_get(&ck->stdlib, module);
    return m ? ty_map_get(m, name) : NULL;
}

bool ty_is_stdlib_module(ty_checker_t *ck, sym_t module)
{
    return ty_map_get(&ck->stdlib, module) != NULL;
}

const ty_builtin_fn_t *ty_prelude_lookup(ty_checker_t *ck, sym_t name)
{
    return ty_map_get(&ck->prelude, name);
}
