//! Errors: [`Error`] (a code and the message of the failed C call) and [`ErrorCode`].
use std::ffi::{CStr, CString};
use std::fmt;
use std::ptr;
use std::sync::Arc;

use vmengine_sys as sys;

/// The kind of an [`Error`], one per `VME_ERR_*` code of the C API.
///
/// Non-exhaustive: a later version may add codes, so a `match` needs a `_` arm; one that
/// lists every variant without it does not compile:
///
/// ```compile_fail,E0004
/// use vmengine::ErrorCode::*;
/// fn retry(c: vmengine::ErrorCode) -> bool {
///     match c {
///         Busy | Locked => true,
///         InvalidArgument | NotFound | Corruption | Io | NoMemory | Closed | BufferTooSmall
///         | Misuse | Internal | Limit | Other(_) => false,
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `VME_ERR_INVALID_ARGUMENT`: a malformed argument, selector, regex or label.
    InvalidArgument,
    /// `VME_ERR_NOT_FOUND`: a named snapshot, partition or file does not exist.
    NotFound,
    /// `VME_ERR_CORRUPTION`: a file on disk is malformed; the message names file and offset.
    Corruption,
    /// `VME_ERR_IO`: the OS refused an operation (disk full, permissions).
    Io,
    /// `VME_ERR_NO_MEMORY`: an allocation failed.
    NoMemory,
    /// `VME_ERR_CLOSED`: the [`Db`](crate::Db) is closed (also returned by the binding itself
    /// for any call after [`Db::close`](crate::Db::close)).
    Closed,
    /// `VME_ERR_BUSY`: the operation cannot run now; retry later.
    Busy,
    /// `VME_ERR_BUFFER_TOO_SMALL`: a caller buffer is too small (not produced by this crate).
    BufferTooSmall,
    /// `VME_ERR_MISUSE`: API misuse, e.g. ingest into a read-only db, or an ABI mismatch
    /// between this crate and the loaded library.
    Misuse,
    /// `VME_ERR_INTERNAL`: a bug in vmengine.
    Internal,
    /// `VME_ERR_LOCKED`: another process (or another open [`Db`](crate::Db)) holds the data
    /// directory's `flock.lock`.
    Locked,
    /// `VME_ERR_LIMIT`: a configured limit was exceeded (e.g. [`Query::limit`](crate::Query::limit)).
    Limit,
    /// A code this crate does not know (a newer library).
    Other(i32),
}

impl ErrorCode {
    /// Maps a negative `vme_status` to its code.
    pub fn from_status(status: i32) -> ErrorCode {
        match status {
            sys::VME_ERR_INVALID_ARGUMENT => ErrorCode::InvalidArgument,
            sys::VME_ERR_NOT_FOUND => ErrorCode::NotFound,
            sys::VME_ERR_CORRUPTION => ErrorCode::Corruption,
            sys::VME_ERR_IO => ErrorCode::Io,
            sys::VME_ERR_NO_MEMORY => ErrorCode::NoMemory,
            sys::VME_ERR_CLOSED => ErrorCode::Closed,
            sys::VME_ERR_BUSY => ErrorCode::Busy,
            sys::VME_ERR_BUFFER_TOO_SMALL => ErrorCode::BufferTooSmall,
            sys::VME_ERR_MISUSE => ErrorCode::Misuse,
            sys::VME_ERR_INTERNAL => ErrorCode::Internal,
            sys::VME_ERR_LOCKED => ErrorCode::Locked,
            sys::VME_ERR_LIMIT => ErrorCode::Limit,
            other => ErrorCode::Other(other),
        }
    }

    /// The C status code (`VME_ERR_*`).
    pub fn status(self) -> i32 {
        match self {
            ErrorCode::InvalidArgument => sys::VME_ERR_INVALID_ARGUMENT,
            ErrorCode::NotFound => sys::VME_ERR_NOT_FOUND,
            ErrorCode::Corruption => sys::VME_ERR_CORRUPTION,
            ErrorCode::Io => sys::VME_ERR_IO,
            ErrorCode::NoMemory => sys::VME_ERR_NO_MEMORY,
            ErrorCode::Closed => sys::VME_ERR_CLOSED,
            ErrorCode::Busy => sys::VME_ERR_BUSY,
            ErrorCode::BufferTooSmall => sys::VME_ERR_BUFFER_TOO_SMALL,
            ErrorCode::Misuse => sys::VME_ERR_MISUSE,
            ErrorCode::Internal => sys::VME_ERR_INTERNAL,
            ErrorCode::Locked => sys::VME_ERR_LOCKED,
            ErrorCode::Limit => sys::VME_ERR_LIMIT,
            ErrorCode::Other(c) => c,
        }
    }

    /// The library's static name of the code (`vme_status_string`), e.g. "invalid argument".
    pub fn name(self) -> &'static str {
        // SAFETY: vme_status_string returns a static NUL-terminated string for any code.
        unsafe { static_str(sys::vme_status_string(self.status())) }
    }
}

/// An error of a vmengine call: what kind it is ([`ErrorCode`]) and the message that the same
/// C call returned through its `vme_error**` out-parameter (never the thread-local last
/// error). The message names the file, offset, argument or line at fault; it never names the
/// C function (the binding strips the library's `vme_...: ` prefixes).
///
/// Errors raised on the Rust side keep their cause: [`std::error::Error::source`] returns the
/// [`std::io::Error`] of a failed read
/// ([`Db::import_prometheus_reader`](crate::Db::import_prometheus_reader)) or the
/// [`std::ffi::NulError`] of a string with a NUL byte; errors of the C library have no
/// source. The message is complete on its own (it repeats the cause's text), so printing the
/// error alone says what went wrong.
///
/// Non-exhaustive (fields may be added): match it as `Error { code, .. }`, build one with
/// [`Error::new`] or [`Error::with_source`]. Two errors compare equal when their code and
/// message are equal (the source is not compared).
///
/// ```
/// # use vmengine::{Error, ErrorCode};
/// fn is_retryable(e: &Error) -> bool {
///     matches!(e, Error { code: ErrorCode::Busy | ErrorCode::Locked, .. })
/// }
/// # assert!(!is_retryable(&Error::new(ErrorCode::Io, "x")));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Error {
    /// What kind of failure it is.
    pub code: ErrorCode,
    /// The library's message (or the binding's, for errors raised on the Rust side).
    pub message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error raised on the Rust side (by this crate or by code built on it).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            source: None,
        }
    }

    /// Like [`Error::new`], with the lower-level error that caused it (returned by
    /// [`std::error::Error::source`]).
    pub fn with_source(
        code: ErrorCode,
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error {
            code,
            message: message.into(),
            source: Some(Arc::new(source)),
        }
    }

    /// What kind of failure it is (the same as the field [`Error::code`]).
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message without the code's name (the same as the field [`Error::message`]).
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn closed() -> Error {
        Error::new(ErrorCode::Closed, "the db is closed (Db::close was called)")
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidArgument, message)
    }
}

impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        self.code == other.code && self.message == other.message
    }
}

impl Eq for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A string argument holding a NUL byte, which C cannot take: `InvalidArgument` naming the
/// argument, with the [`std::ffi::NulError`] as its source.
pub(crate) fn cstring(s: &str, what: &str) -> Result<CString> {
    CString::new(s).map_err(|e| {
        let at = e.nul_position();
        Error::with_source(
            ErrorCode::InvalidArgument,
            format!("{what} contains a NUL byte at offset {at}"),
            e,
        )
    })
}

/// Removes the names of C functions that the library puts in front of its messages
/// ("vme_search: invalid regex ..." becomes "invalid regex ..."): a Rust caller called a
/// method, not the C function.
pub(crate) fn strip_c_names(message: &str) -> &str {
    let mut m = message;
    loop {
        let Some(rest) = m.strip_prefix("vme_") else {
            return m;
        };
        let ident_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        match rest[ident_len..].strip_prefix(": ") {
            Some(after) => m = after,
            None => return m,
        }
    }
}

/// `Result<T, vmengine::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs a C call that takes `vme_error** err` last; returns its non-negative status
/// (`VME_OK`/`VME_DONE`) or the error built from the same call's error object.
#[inline]
pub(crate) fn ffi_call(
    f: impl FnOnce(*mut *mut sys::vme_error) -> sys::vme_status,
) -> Result<sys::vme_status> {
    let mut err: *mut sys::vme_error = ptr::null_mut();
    let st = f(&mut err);
    if st >= 0 {
        if !err.is_null() {
            // SAFETY: err was produced by the library and is freed once.
            unsafe { sys::vme_error_free(err) };
        }
        return Ok(st);
    }
    Err(take_error(st, err))
}

fn take_error(st: sys::vme_status, err: *mut sys::vme_error) -> Error {
    let code = ErrorCode::from_status(st);
    if err.is_null() {
        return Error::new(code, code.name());
    }
    // SAFETY: err is a live error object; its message is valid until vme_error_free.
    let message = unsafe {
        let m = CStr::from_ptr(sys::vme_error_message(err))
            .to_string_lossy()
            .into_owned();
        sys::vme_error_free(err);
        m
    };
    let message = match strip_c_names(&message) {
        stripped if stripped.len() == message.len() => message,
        stripped => stripped.to_string(),
    };
    Error::new(code, message)
}

/// Borrows a static NUL-terminated C string as `&'static str` ("" for NULL or non-UTF-8).
///
/// # Safety
/// `p` must be NULL or point at a NUL-terminated string that lives forever.
pub(crate) unsafe fn static_str(p: *const std::ffi::c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    CStr::from_ptr(p).to_str().unwrap_or("")
}
