//! `import openapi`: another team's OpenAPI document as contracts.
