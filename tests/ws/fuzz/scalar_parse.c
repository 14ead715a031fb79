/* scalar_parse.c: a second copy of ws/http_parse.c with the SSE2 scan
 * compiled out and its exported names renamed, so fuzz_http can check that
 * the vector and scalar scans give the same verdict on every input. */
#define WS_HTTP_NO_SIMD 1
#define ws_http_parse_request ws_http_parse_request_scalar
#define ws_http_header_get ws_http_header_get_scalar
#define ws_http_query_get ws_http_query_get_scalar
#define ws_http_slice_ieq ws_http_slice_ieq_scalar
#define ws_http_tchar_table_ ws_http_tchar_table_scalar_
#include "ws/http_parse.c"
