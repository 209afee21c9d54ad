//! An area's routes, each declared with its access.

use axum::routing::MethodRouter;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use super::access::{Access, Rule};
use crate::AppState;

/// An area's routes with their declared access.
pub struct Routes {
    pub router: OpenApiRouter<AppState>,
    pub rules: Vec<Rule>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes { router: OpenApiRouter::new(), rules: vec![] }
    }

    /// An API route documented with `#[utoipa::path]` (pass `routes!(handler)`); its path comes
    /// from the annotation.
    pub fn api(mut self, access: Access, r: UtoipaMethodRouter<AppState>) -> Routes {
        for path in r.1.paths.keys() {
            self.rules.push(Rule { path: path.clone(), access });
        }
        self.router = self.router.routes(r);
        self
    }

    /// A page or other route not in the OpenAPI document.
    pub fn page(mut self, path: &str, access: Access, mr: MethodRouter<AppState>) -> Routes {
        self.rules.push(Rule { path: path.to_string(), access });
        self.router = self.router.route(path, mr);
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.rules.extend(other.rules);
        self
    }
}
