//! How the backend answers a route that cannot exist, learnt once without a token and, lazily, once with
//! an account's token: a backend that checks tokens before routing answers the two differently, and a
//! request is judged against the answer for the credentials it carried.

use crate::check::RouteFingerprint;
use crate::http::{Client, Exchange, HttpRequest, TransportError};
use tokio::sync::OnceCell;

/// The run's two fingerprints.
#[derive(Default)]
pub(crate) struct Fingerprints {
    pub anonymous: Option<RouteFingerprint>,
    authenticated: OnceCell<Option<RouteFingerprint>>,
}

impl Fingerprints {
    /// Learns the anonymous fingerprint; the error is the transport failure (the backend is unreachable).
    pub async fn learn(client: &Client, code_field: &str) -> Result<Fingerprints, TransportError> {
        let ex = probe(client, None).await;
        if let Err(e) = &ex.response {
            return Err(e.clone());
        }
        Ok(Fingerprints {
            anonymous: RouteFingerprint::learn(&ex, code_field),
            authenticated: OnceCell::new(),
        })
    }

    /// The fingerprint for a request that carries an account's `token`: learnt on first use with it.
    /// Falls back to the anonymous one when the probe gets no answer.
    pub async fn with_token(
        &self,
        client: &Client,
        code_field: &str,
        token: &str,
    ) -> Option<&RouteFingerprint> {
        let learnt = self
            .authenticated
            .get_or_init(|| async {
                let ex = probe(client, Some(token)).await;
                RouteFingerprint::learn(&ex, code_field)
            })
            .await;
        learnt.as_ref().or(self.anonymous.as_ref())
    }
}

/// `GET {base}/__daodao_check_no_such_route_<random>`, with a bearer token when given.
async fn probe(client: &Client, token: Option<&str>) -> Exchange {
    let url = format!(
        "{}/__daodao_check_no_such_route_{}",
        client.base_url,
        uuid::Uuid::new_v4().simple()
    );
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    if let Some(t) = token {
        headers.push(("Authorization".to_string(), format!("Bearer {t}")));
    }
    client
        .send(HttpRequest {
            method: "GET".into(),
            path: String::new(),
            url,
            headers,
            body: None,
            multipart_files: None,
            raw_body: None,
        })
        .await
}
