/*
 * vmengine.i: SWIG 4 interface of the Java binding's JNI layer (package org.vmengine.internal,
 * library libvmengine_jni.so). Curated: only what is declared below is wrapped; the C header
 * is not %included. The hand-written facade in org.vmengine is the public API; the classes
 * generated from this file are internal.
 *
 * Conventions of the generated layer:
 *  - Every opaque handle (vme_db, vme_query, vme_series_iter, vme_strlist, vme_stats,
 *    vme_options) becomes a proxy class implementing AutoCloseable. close() frees the native
 *    object and zeroes the pointer; every method checks the pointer in the JNI code and throws
 *    org.vmengine.ClosedException for a zero pointer, so a closed object never crashes.
 *    Finalizers are off: nothing relies on the GC.
 *  - `vme_error** err` is hidden from Java: the JNI code passes a local vme_error*, and if the
 *    call fails it throws the exception class of the error code (built by the private factory
 *    org.vmengine.VmEngineException.fromNative(int, byte[])) and frees the error.
 *  - Strings cross as UTF-8 byte[] (never JNI "modified UTF-8"): label names/values, paths,
 *    selectors and messages may hold any bytes.
 *  - Bulk arrays are copied once: inputs with Get<Type>ArrayRegion into one malloc'd buffer,
 *    sample outputs straight into the Java arrays inside a short critical section.
 */
%module VmeNative

%{
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmengine.h"

/* Throws the org.vmengine exception for `code` with a UTF-8 message of `len` bytes. */
static jclass vmej_exc_class;
static jmethodID vmej_exc_factory;

static void vmej_throw(JNIEnv* jenv, vme_status code, const char* msg, size_t len) {
  jclass cls;
  jmethodID mid;
  jbyteArray bytes;
  jobject exc;
  if ((*jenv)->ExceptionCheck(jenv)) return;
  cls = (jclass)__atomic_load_n(&vmej_exc_class, __ATOMIC_ACQUIRE);
  mid = __atomic_load_n(&vmej_exc_factory, __ATOMIC_ACQUIRE);
  if (cls == NULL) {
    jclass local = (*jenv)->FindClass(jenv, "org/vmengine/VmEngineException");
    if (local == NULL) return; /* NoClassDefFoundError is pending */
    mid = (*jenv)->GetStaticMethodID(jenv, local, "fromNative",
                                     "(I[B)Lorg/vmengine/VmEngineException;");
    if (mid == NULL) return;
    cls = (jclass)(*jenv)->NewGlobalRef(jenv, local);
    (*jenv)->DeleteLocalRef(jenv, local);
    if (cls == NULL) return;
    __atomic_store_n(&vmej_exc_factory, mid, __ATOMIC_RELEASE);
    __atomic_store_n(&vmej_exc_class, cls, __ATOMIC_RELEASE);
  }
  if (len > 0x7fffffff) len = 0x7fffffff;
  bytes = (*jenv)->NewByteArray(jenv, (jsize)len);
  if (bytes == NULL) return;
  (*jenv)->SetByteArrayRegion(jenv, bytes, 0, (jsize)len, (const jbyte*)msg);
  exc = (*jenv)->CallStaticObjectMethod(jenv, cls, mid, (jint)code, bytes);
  (*jenv)->DeleteLocalRef(jenv, bytes);
  if (exc == NULL || (*jenv)->ExceptionCheck(jenv)) return;
  (*jenv)->Throw(jenv, (jthrowable)exc);
  (*jenv)->DeleteLocalRef(jenv, exc);
}

static void vmej_throw_str(JNIEnv* jenv, vme_status code, const char* msg) {
  vmej_throw(jenv, code, msg, strlen(msg));
}

static void vmej_throw_error(JNIEnv* jenv, const vme_error* err) {
  vmej_throw_str(jenv, vme_error_code(err), vme_error_message(err));
}

/* A borrowed byte string returned to Java as a new byte[] (NULL p gives null). */
typedef struct vmej_bytes {
  const void* p;
  size_t n;
} vmej_bytes;

/* A per-thread staging buffer for vmej_add_rows, reused across calls (no malloc, no fresh
 * pages per batch); it keeps the size of the largest batch of the thread and is freed when the
 * thread exits. */
typedef struct vmej_stage {
  unsigned char* p;
  size_t cap;
} vmej_stage;

static pthread_key_t vmej_stage_key;
static pthread_once_t vmej_stage_once = PTHREAD_ONCE_INIT;

static void vmej_stage_free(void* p) {
  vmej_stage* s = (vmej_stage*)p;
  free(s->p);
  free(s);
}

static void vmej_stage_init(void) { (void)pthread_key_create(&vmej_stage_key, vmej_stage_free); }

static unsigned char* vmej_stage_get(size_t bytes) {
  vmej_stage* s;
  pthread_once(&vmej_stage_once, vmej_stage_init);
  s = (vmej_stage*)pthread_getspecific(vmej_stage_key);
  if (s == NULL) {
    s = (vmej_stage*)calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    if (pthread_setspecific(vmej_stage_key, s) != 0) {
      free(s);
      return NULL;
    }
  }
  if (s->cap < bytes) {
    size_t cap = bytes + bytes / 4;
    unsigned char* p = (unsigned char*)malloc(cap);
    if (p == NULL) return NULL;
    free(s->p);
    s->p = p;
    s->cap = cap;
  }
  return s->p;
}

/* Adds rows 0..n-1 of the Java batch arrays with ONE vme_add_rows call: offsets[0..n], ts and
 * values[0..n) and keys[0..offsets[n]) are copied once, with Get<Type>ArrayRegion, into one
 * buffer (the thread's staging buffer). */
static vme_status vmej_add_rows(JNIEnv* jenv, vme_db* db, jbyteArray keys, jintArray offsets,
                                jlongArray ts, jdoubleArray values, int32_t n,
                                vme_add_result* result, vme_error** err) {
  jsize keys_cap, offs_cap, ts_cap, values_cap;
  jint keys_len = 0;
  size_t bytes;
  unsigned char* buf;
  int64_t* ts_buf;
  double* values_buf;
  uint32_t* offs_buf;
  uint8_t* keys_buf;
  vme_status st;
  if (keys == NULL || offsets == NULL || ts == NULL || values == NULL || n < 0) {
    vmej_throw_str(jenv, VME_ERR_INVALID_ARGUMENT, "addRows: null array or negative row count");
    return VME_ERR_INVALID_ARGUMENT;
  }
  keys_cap = (*jenv)->GetArrayLength(jenv, keys);
  offs_cap = (*jenv)->GetArrayLength(jenv, offsets);
  ts_cap = (*jenv)->GetArrayLength(jenv, ts);
  values_cap = (*jenv)->GetArrayLength(jenv, values);
  if (offs_cap < n + 1 || ts_cap < n || values_cap < n) {
    vmej_throw_str(jenv, VME_ERR_INVALID_ARGUMENT, "addRows: arrays shorter than the row count");
    return VME_ERR_INVALID_ARGUMENT;
  }
  (*jenv)->GetIntArrayRegion(jenv, offsets, n, 1, &keys_len);
  if (keys_len < 0 || keys_len > keys_cap) {
    vmej_throw_str(jenv, VME_ERR_INVALID_ARGUMENT, "addRows: offsets[n] is past the key bytes");
    return VME_ERR_INVALID_ARGUMENT;
  }
  bytes = (size_t)n * (sizeof(int64_t) + sizeof(double)) + ((size_t)n + 1) * sizeof(uint32_t) +
          (size_t)keys_len;
  buf = vmej_stage_get(bytes ? bytes : 1);
  if (buf == NULL) {
    vmej_throw_str(jenv, VME_ERR_NO_MEMORY, "addRows: out of memory");
    return VME_ERR_NO_MEMORY;
  }
  ts_buf = (int64_t*)buf;
  values_buf = (double*)(ts_buf + n);
  offs_buf = (uint32_t*)(values_buf + n);
  keys_buf = (uint8_t*)(offs_buf + n + 1);
  (*jenv)->GetLongArrayRegion(jenv, ts, 0, n, (jlong*)ts_buf);
  (*jenv)->GetDoubleArrayRegion(jenv, values, 0, n, (jdouble*)values_buf);
  (*jenv)->GetIntArrayRegion(jenv, offsets, 0, n + 1, (jint*)offs_buf);
  (*jenv)->GetByteArrayRegion(jenv, keys, 0, keys_len, (jbyte*)keys_buf);
  st = vme_add_rows(db, keys_buf, (size_t)keys_len, offs_buf, ts_buf, values_buf, (size_t)n,
                    result, err);
  return st;
}

/* Writes an import result into a Java long[9] (if non-null and long enough): the six
 * vme_add_result counters, then lines_read, lines_skipped, first_skipped_line. */
static void vmej_import_counters(JNIEnv* jenv, jlongArray out, const vme_import_result* r) {
  jlong v[9];
  if (out == NULL || (*jenv)->GetArrayLength(jenv, out) < 9) return;
  v[0] = (jlong)r->rows.rows_added;
  v[1] = (jlong)r->rows.rejected_invalid_labels;
  v[2] = (jlong)r->rows.rejected_nan;
  v[3] = (jlong)r->rows.rejected_out_of_retention;
  v[4] = (jlong)r->rows.rejected_too_far_future;
  v[5] = (jlong)r->rows.rejected_invalid_timestamp;
  v[6] = (jlong)r->lines_read;
  v[7] = (jlong)r->lines_skipped;
  v[8] = (jlong)r->first_skipped_line;
  (*jenv)->SetLongArrayRegion(jenv, out, 0, 9, v);
}
%}

%include <stdint.i>
/* Counts and sizes are Java long (values never reach 2^63). */
%apply long long { int64_t, uint64_t, size_t };
%apply int32_t { vme_status };

%pragma(java) jniclassclassmodifiers="public final class"
%pragma(java) moduleclassmodifiers="public final class"
%pragma(java) jniclasscode=%{
  static {
    NativeLoader.load();
    NativeLoader.checkAbi(abiVersion(), COMPILED_ABI_VERSION_get());
  }
%}

/* ---- JNI plumbing ----------------------------------------------------------------------- */

/* The JNIEnv of the call, for the few helpers that read Java arrays themselves. */
%typemap(in, numinputs=0) JNIEnv* JENV "$1 = jenv;"

/* Errors: a local vme_error* per call; a failed call throws and frees it. */
%typemap(in, numinputs=0) vme_error** err (vme_error* errobj) {
  errobj = NULL;
  $1 = &errobj;
}
%typemap(argout) vme_error** err {
  if (errobj$argnum != NULL) {
    vmej_throw_error(jenv, errobj$argnum);
    vme_error_free(errobj$argnum);
    return $null;
  }
}
/* A negative status without an error object (not expected) still throws. */
%typemap(ret) vme_status {
  if ($1 < 0 && !(*jenv)->ExceptionCheck(jenv)) {
    vmej_throw_str(jenv, $1, vme_status_string($1));
  }
}

/* No finalizers: native objects are freed by close() only. */
%typemap(javafinalize) SWIGTYPE ""

/* Handles: a zero pointer (closed proxy) throws ClosedException before anything else runs. */
%define VMEJ_HANDLE(TYPE, JNAME, WHAT)
%rename(JNAME) TYPE;
%nodefaultctor TYPE;
%typemap(javainterfaces) struct TYPE "AutoCloseable"
%typemap(in) struct TYPE* self {
  $1 = (TYPE*)(intptr_t)$input;
  if ($1 == NULL) {
    vmej_throw_str(jenv, VME_ERR_CLOSED, WHAT " is closed");
    return $null;
  }
}
%enddef

VMEJ_HANDLE(vme_db, NativeDb, "db")
VMEJ_HANDLE(vme_query, NativeQuery, "query")
VMEJ_HANDLE(vme_series_iter, NativeSeriesIter, "series iterator")
VMEJ_HANDLE(vme_strlist, NativeStrList, "string list")
VMEJ_HANDLE(vme_stats, NativeStats, "stats")
VMEJ_HANDLE(vme_options, NativeOptions, "options")

/* A required (non-null) query argument. */
%typemap(in) const vme_query* q {
  $1 = (vme_query*)(intptr_t)$input;
  if ($1 == NULL) {
    vmej_throw_str(jenv, VME_ERR_CLOSED, "query is closed");
    return $null;
  }
}

/* Ingest counters: a long[6] (or null) receives rows_added and the five rejection counters. */
%typemap(jni) vme_add_result* counters "jlongArray"
%typemap(jtype) vme_add_result* counters "long[]"
%typemap(jstype) vme_add_result* counters "long[]"
%typemap(javain) vme_add_result* counters "$javainput"
%typemap(in) vme_add_result* counters (vme_add_result counters_tmp) {
  memset(&counters_tmp, 0, sizeof counters_tmp);
  $1 = ($input != NULL && (*jenv)->GetArrayLength(jenv, $input) >= 6) ? &counters_tmp : NULL;
}
%typemap(argout) vme_add_result* counters {
  if ($1 != NULL && !(*jenv)->ExceptionCheck(jenv)) {
    jlong v[6];
    v[0] = (jlong)$1->rows_added;
    v[1] = (jlong)$1->rejected_invalid_labels;
    v[2] = (jlong)$1->rejected_nan;
    v[3] = (jlong)$1->rejected_out_of_retention;
    v[4] = (jlong)$1->rejected_too_far_future;
    v[5] = (jlong)$1->rejected_invalid_timestamp;
    (*jenv)->SetLongArrayRegion(jenv, $input, 0, 6, v);
  }
}

/* Bulk inputs: (pointer, length) from a Java array, copied once into one malloc'd buffer. */
%define VMEJ_IN_ARRAY(CTYPE, JNIARRAY, JARRAY, JELEM, REGION)
%typemap(jni) (const CTYPE* IN_ARRAY, size_t LEN) "JNIARRAY"
%typemap(jtype) (const CTYPE* IN_ARRAY, size_t LEN) "JARRAY"
%typemap(jstype) (const CTYPE* IN_ARRAY, size_t LEN) "JARRAY"
%typemap(javain) (const CTYPE* IN_ARRAY, size_t LEN) "$javainput"
%typemap(in) (const CTYPE* IN_ARRAY, size_t LEN) {
  $1 = NULL;
  $2 = 0;
  if ($input != NULL) {
    jsize len = (*jenv)->GetArrayLength(jenv, $input);
    $1 = ($1_ltype)malloc(len > 0 ? (size_t)len * sizeof(CTYPE) : 1);
    if ($1 == NULL) {
      vmej_throw_str(jenv, VME_ERR_NO_MEMORY, "out of memory");
      return $null;
    }
    (*jenv)->Get##REGION##ArrayRegion(jenv, $input, 0, len, (JELEM*)$1);
    $2 = (size_t)len;
  }
}
%typemap(freearg) (const CTYPE* IN_ARRAY, size_t LEN) "free((void*)$1);"
%enddef

VMEJ_IN_ARRAY(uint8_t, jbyteArray, byte[], jbyte, Byte)
VMEJ_IN_ARRAY(char, jbyteArray, byte[], jbyte, Byte)
VMEJ_IN_ARRAY(int64_t, jlongArray, long[], jlong, Long)
VMEJ_IN_ARRAY(double, jdoubleArray, double[], jdouble, Double)
%apply (const uint8_t* IN_ARRAY, size_t LEN) { (const uint8_t* key, size_t key_len) };
%apply (const int64_t* IN_ARRAY, size_t LEN) { (const int64_t* ts, size_t ts_len) };
%apply (const double* IN_ARRAY, size_t LEN) { (const double* values, size_t values_len) };
%apply (const char* IN_ARRAY, size_t LEN) { (const char* name, size_t name_len) };
%apply (const char* IN_ARRAY, size_t LEN) { (const char* value, size_t value_len) };
%apply (const char* IN_ARRAY, size_t LEN) { (const char* text, size_t text_len) };

/* A NUL-terminated UTF-8 string from a Java byte[] (null gives NULL). */
%typemap(jni) const char* UTF8Z "jbyteArray"
%typemap(jtype) const char* UTF8Z "byte[]"
%typemap(jstype) const char* UTF8Z "byte[]"
%typemap(javain) const char* UTF8Z "$javainput"
%typemap(in) const char* UTF8Z {
  $1 = NULL;
  if ($input != NULL) {
    jsize len = (*jenv)->GetArrayLength(jenv, $input);
    char* s = (char*)malloc((size_t)len + 1);
    if (s == NULL) {
      vmej_throw_str(jenv, VME_ERR_NO_MEMORY, "out of memory");
      return $null;
    }
    (*jenv)->GetByteArrayRegion(jenv, $input, 0, len, (jbyte*)s);
    s[len] = '\0';
    $1 = s;
  }
}
%typemap(freearg) const char* UTF8Z "free((void*)$1);"
%apply const char* UTF8Z { const char* path, const char* selector, const char* prefix,
                           const char* snapshot, const char* opt_key, const char* opt_value };

/* Bulk outputs: the C side copies straight into the Java array. The lengths of all arrays are
 * read in the "in" phase, the arrays are pinned in the "check" phase (after every "in", so no
 * JNI call happens inside the critical section) and released in "argout" (before the error
 * typemap may throw). */
%define VMEJ_OUT_ARRAY(CTYPE, JNIARRAY, JARRAY)
%typemap(jni) (CTYPE* OUT_ARRAY, size_t CAP) "JNIARRAY"
%typemap(jtype) (CTYPE* OUT_ARRAY, size_t CAP) "JARRAY"
%typemap(jstype) (CTYPE* OUT_ARRAY, size_t CAP) "JARRAY"
%typemap(javain) (CTYPE* OUT_ARRAY, size_t CAP) "$javainput"
%typemap(in) (CTYPE* OUT_ARRAY, size_t CAP) (JNIARRAY out_arr) {
  out_arr = $input;
  $1 = NULL;
  $2 = $input != NULL ? (size_t)(*jenv)->GetArrayLength(jenv, $input) : 0;
}
%typemap(check) (CTYPE* OUT_ARRAY, size_t CAP) {
  if ($2 > 0) {
    $1 = ($1_ltype)(*jenv)->GetPrimitiveArrayCritical(jenv, out_arr$argnum, NULL);
    if ($1 == NULL) $2 = 0;
  }
}
%typemap(argout) (CTYPE* OUT_ARRAY, size_t CAP) {
  if ($1 != NULL) (*jenv)->ReleasePrimitiveArrayCritical(jenv, out_arr$argnum, $1, 0);
}
%enddef

VMEJ_OUT_ARRAY(int64_t, jlongArray, long[])
VMEJ_OUT_ARRAY(double, jdoubleArray, double[])
%apply (int64_t* OUT_ARRAY, size_t CAP) { (int64_t* ts_out, size_t ts_cap) };
%apply (double* OUT_ARRAY, size_t CAP) { (double* values_out, size_t values_cap) };

/* Borrowed byte strings returned as a new byte[]. */
%typemap(jni) vmej_bytes "jbyteArray"
%typemap(jtype) vmej_bytes "byte[]"
%typemap(jstype) vmej_bytes "byte[]"
%typemap(javaout) vmej_bytes { return $jnicall; }
%typemap(out) vmej_bytes {
  $result = NULL;
  if ($1.p != NULL) {
    $result = (*jenv)->NewByteArray(jenv, (jsize)$1.n);
    if ($result != NULL) {
      (*jenv)->SetByteArrayRegion(jenv, $result, 0, (jsize)$1.n, (const jbyte*)$1.p);
    }
  }
}

/* Owned C strings (snapshot names) are converted, then freed with vme_free. */
%typemap(newfree) char* "vme_free($1);"

/* ---- versions ----------------------------------------------------------------------------- */

%rename(versionString) vme_version_string;
%rename(versionNumber) vme_version_number;
%rename(abiVersion) vme_abi_version;
const char* vme_version_string(void);
uint32_t vme_version_number(void);
uint32_t vme_abi_version(void);
/* The ABI version of the header this JNI library was compiled against. */
%constant uint32_t COMPILED_ABI_VERSION = VME_ABI_VERSION;
%constant int32_t MATCH_EQ = VME_MATCH_EQ;
%constant int32_t MATCH_NEQ = VME_MATCH_NEQ;
%constant int32_t MATCH_RE = VME_MATCH_RE;
%constant int32_t MATCH_NRE = VME_MATCH_NRE;
%constant int32_t IMPORT_STRICT = VME_IMPORT_STRICT;

/* ---- opaque handles ------------------------------------------------------------------------- */

%javamethodmodifiers vme_db::closeNative "private";
%typemap(javacode) struct vme_db %{
  /** vme_close: makes every row durable and frees the handle; idempotent. The pointer is
   *  zeroed even if the close fails, so the handle is never used again. */
  @Override
  public synchronized void close() {
    if (swigCPtr == 0) return;
    try {
      closeNative();
    } finally {
      swigCPtr = 0;
      swigCMemOwn = false;
    }
  }
%}
%define VMEJ_CLOSE_BY_DELETE(TYPE)
%typemap(javacode) struct TYPE %{
  /** Frees the native object (idempotent); later calls throw ClosedException. */
  @Override
  public void close() {
    delete();
  }
%}
%enddef
VMEJ_CLOSE_BY_DELETE(vme_options)
VMEJ_CLOSE_BY_DELETE(vme_query)
VMEJ_CLOSE_BY_DELETE(vme_series_iter)
VMEJ_CLOSE_BY_DELETE(vme_strlist)
VMEJ_CLOSE_BY_DELETE(vme_stats)
%nodefaultdtor vme_db;
%typemap(javadestruct, methodname="delete", methodmodifiers="public", parameters="") struct vme_db {
    close();
  }

typedef struct vme_options {} vme_options;
typedef struct vme_db {} vme_db;
typedef struct vme_query {} vme_query;
typedef struct vme_series_iter {} vme_series_iter;
typedef struct vme_strlist {} vme_strlist;
typedef struct vme_stats {} vme_stats;

%newobject vme_options::make;
%extend vme_options {
  /* vme_options_create; null on out of memory is turned into NO_MEMORY. */
  static vme_options* make(JNIEnv* JENV) {
    vme_options* o = vme_options_create();
    if (o == NULL) vmej_throw_str(JENV, VME_ERR_NO_MEMORY, "vme_options_create: out of memory");
    return o;
  }
  ~vme_options() { vme_options_destroy($self); }
  vme_status setRetentionMs(int64_t retention_ms, vme_error** err) {
    return vme_options_set_retention_ms($self, retention_ms, err);
  }
  vme_status setTenant(int64_t account_id, int64_t project_id, vme_error** err) {
    return vme_options_set_tenant($self, (uint32_t)account_id, (uint32_t)project_id, err);
  }
  vme_status setCacheBytes(int64_t bytes, vme_error** err) {
    return vme_options_set_cache_bytes($self, (uint64_t)bytes, err);
  }
  vme_status setOption(const char* opt_key, const char* opt_value, vme_error** err) {
    return vme_options_set($self, opt_key, opt_value, err);
  }
}

%newobject vme_query::make;
%extend vme_query {
  static vme_query* make(JNIEnv* JENV, int64_t min_ts_ms, int64_t max_ts_ms) {
    vme_query* q = vme_query_create(min_ts_ms, max_ts_ms);
    if (q == NULL) vmej_throw_str(JENV, VME_ERR_NO_MEMORY, "vme_query_create: out of memory");
    return q;
  }
  ~vme_query() { vme_query_destroy($self); }
  vme_status setTimeRange(int64_t min_ts_ms, int64_t max_ts_ms, vme_error** err) {
    return vme_query_set_time_range($self, min_ts_ms, max_ts_ms, err);
  }
  vme_status addMatcher(int32_t type, const char* name, size_t name_len, const char* value,
                        size_t value_len, vme_error** err) {
    return vme_query_add_matcher($self, (vme_match_type)type, name, name_len, value, value_len,
                                 err);
  }
  vme_status addSelector(const char* selector, vme_error** err) {
    return vme_query_add_selector($self, selector, err);
  }
  vme_status setTenant(int64_t account_id, int64_t project_id, vme_error** err) {
    return vme_query_set_tenant($self, (uint32_t)account_id, (uint32_t)project_id, err);
  }
  vme_status setLimit(uint64_t max_series, vme_error** err) {
    return vme_query_set_limit($self, max_series, err);
  }
}

%extend vme_series_iter {
  ~vme_series_iter() { vme_series_iter_close($self); }
  /* VME_OK (0) with a current series, VME_DONE (1) at the end; errors throw. */
  vme_status advance(vme_error** err) { return vme_series_iter_next($self, err); }
  /* The packed key of the current series (null if none). */
  vmej_bytes keyBytes() {
    vmej_bytes b;
    const uint8_t* key = NULL;
    size_t len = 0;
    vme_series_iter_key($self, &key, &len);
    b.p = key;
    b.n = len;
    return b;
  }
  size_t sampleCount() {
    const int64_t* ts;
    const double* values;
    return vme_series_iter_samples($self, &ts, &values);
  }
  /* vme_series_iter_copy_samples into the arrays (capacity = the shorter length); returns
   * the number of samples copied. */
  size_t copySamples(int64_t* ts_out, size_t ts_cap, double* values_out, size_t values_cap,
                     vme_error** err) {
    size_t n = 0;
    vme_series_iter_copy_samples($self, ts_out, values_out, ts_cap < values_cap ? ts_cap : values_cap,
                                 &n, err);
    return n;
  }
}

%extend vme_strlist {
  ~vme_strlist() { vme_strlist_free($self); }
  size_t size() { return vme_strlist_count($self); }
  vmej_bytes at(size_t i) {
    vmej_bytes b;
    size_t len = 0;
    b.p = vme_strlist_get($self, i, &len);
    b.n = len;
    return b;
  }
}

%extend vme_stats {
  ~vme_stats() { vme_stats_free($self); }
  size_t size() { return vme_stats_count($self); }
  vmej_bytes nameAt(size_t i) {
    vmej_bytes b;
    b.p = vme_stats_name($self, i);
    b.n = b.p != NULL ? strlen((const char*)b.p) : 0;
    return b;
  }
  double valueAt(size_t i) { return vme_stats_value($self, i); }
}


%newobject vme_db::open;
%newobject vme_db::search;
%newobject vme_db::labelNames;
%newobject vme_db::labelValues;
%newobject vme_db::snapshotCreate;
%newobject vme_db::snapshotList;
%newobject vme_db::stats;
%extend vme_db {
  /* vme_open; opts may be null. */
  static vme_db* open(const char* path, const vme_options* opts, vme_error** err) {
    vme_db* db = NULL;
    vme_open(path, opts, &db, err);
    return db;
  }
  vme_status closeNative(vme_error** err) { return vme_close($self, err); }
  vme_status flush(vme_error** err) { return vme_flush($self, err); }
  vme_status addRows(JNIEnv* JENV, jbyteArray keys, jintArray offsets, jlongArray ts,
                     jdoubleArray values, int32_t n, vme_add_result* counters, vme_error** err) {
    return vmej_add_rows(JENV, $self, keys, offsets, ts, values, n, counters, err);
  }
  vme_status addSeries(JNIEnv* JENV, const uint8_t* key, size_t key_len, const int64_t* ts,
                       size_t ts_len, const double* values, size_t values_len,
                       vme_add_result* counters, vme_error** err) {
    if (ts_len != values_len) {
      vmej_throw_str(JENV, VME_ERR_INVALID_ARGUMENT,
                     "addSeries: timestamps and values differ in length");
      return VME_ERR_INVALID_ARGUMENT;
    }
    return vme_add_series($self, key, key_len, ts, values, ts_len, counters, err);
  }
  /* vme_import_prometheus_file; counters: a long[9] (see vmej_import_counters) or null. */
  vme_status importPrometheusFile(JNIEnv* JENV, const char* path, int64_t default_ts_ms,
                                  int32_t flags, jlongArray counters, vme_error** err) {
    vme_import_result r;
    vme_status st;
    memset(&r, 0, sizeof r);
    st = vme_import_prometheus_file($self, path, default_ts_ms, (uint32_t)flags, &r, err);
    if (st >= 0) vmej_import_counters(JENV, counters, &r);
    return st;
  }
  /* vme_import_prometheus over a copy of the Java byte[]. */
  vme_status importPrometheus(JNIEnv* JENV, const char* text, size_t text_len,
                              int64_t default_ts_ms, int32_t flags, jlongArray counters,
                              vme_error** err) {
    vme_import_result r;
    vme_status st;
    memset(&r, 0, sizeof r);
    st = vme_import_prometheus($self, text, text_len, default_ts_ms, (uint32_t)flags, &r, err);
    if (st >= 0) vmej_import_counters(JENV, counters, &r);
    return st;
  }
  vme_series_iter* search(const vme_query* q, vme_error** err) {
    vme_series_iter* it = NULL;
    vme_search($self, q, &it, err);
    return it;
  }
  /* q may be null (all series). */
  vme_strlist* labelNames(const vme_query* q_or_null, vme_error** err) {
    vme_strlist* out = NULL;
    vme_label_names($self, q_or_null, &out, err);
    return out;
  }
  vme_strlist* labelValues(const char* name, size_t name_len, const vme_query* q_or_null,
                           vme_error** err) {
    vme_strlist* out = NULL;
    vme_label_values($self, name, name_len, q_or_null, &out, err);
    return out;
  }
  int64_t seriesCount(const vme_query* q_or_null, vme_error** err) {
    uint64_t n = 0;
    vme_series_count($self, q_or_null, &n, err);
    return (int64_t)n;
  }
  int64_t deleteSeries(const vme_query* q, vme_error** err) {
    uint64_t n = 0;
    vme_delete_series($self, q, &n, err);
    return (int64_t)n;
  }
  /* prefix may be null (all partitions). */
  vme_status forceMerge(const char* prefix, vme_error** err) {
    return vme_force_merge($self, prefix, err);
  }
  char* snapshotCreate(vme_error** err) {
    char* name = NULL;
    vme_snapshot_create($self, &name, err);
    return name;
  }
  vme_strlist* snapshotList(vme_error** err) {
    vme_strlist* out = NULL;
    vme_snapshot_list($self, &out, err);
    return out;
  }
  vme_status snapshotDelete(const char* snapshot, vme_error** err) {
    return vme_snapshot_delete($self, snapshot, err);
  }
  vme_stats* stats(vme_error** err) {
    vme_stats* out = NULL;
    vme_stats_get($self, &out, err);
    return out;
  }
}
