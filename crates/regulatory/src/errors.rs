//! What the regulatory use cases answer when they refuse: shared by every sub-domain (an
//! application, a licence action, a renewal), with the conversion to the kernel's bilingual
//! web errors.

use axum::http::StatusCode;

/// One thing wrong with an application or a request: the form field it concerns and a stable
/// code (its text is `field-error-<code>` in both languages).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub field: String,
    pub code: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The application cannot do that now (a stable code).
    #[error("refused: {0}")]
    Refused(&'static str, StatusCode),
    /// Everything that stops a submission.
    #[error("incomplete")]
    Incomplete(Vec<Problem>),
    #[error("file refused: {0}")]
    File(kernel::files::rules::FileRefusal),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<kernel::files::FileError> for AppError {
    fn from(e: kernel::files::FileError) -> Self {
        AppError::Other(anyhow::anyhow!(e))
    }
}

impl From<AppError> for kernel::web::AppError {
    fn from(e: AppError) -> Self {
        use kernel::web::{AppError as W, FieldError};
        match e {
            AppError::NotFound => W::NotFound,
            AppError::Refused(code, status) => W::Code(status, code),
            AppError::Incomplete(ps) => {
                W::Validation(ps.into_iter().map(|p| FieldError::new(&p.field, &p.code, &[])).collect())
            }
            AppError::File(r) => W::Validation(vec![FieldError::new("file", r.code(), &[])]),
            AppError::Db(e) => W::Internal(e.into()),
            AppError::Other(e) => W::Internal(e),
        }
    }
}
