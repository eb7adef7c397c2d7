extension EmbeddingServer {
    /// The OpenAPI 3.0 description of the routes, served at `GET /openapi.json`.
    static let openAPIDocument = #"""
    {"openapi": "3.0.3",
     "info": {"title": "embkit serve", "version": "1", "description": "Word-vector queries, text classification and sentence embeddings over the files `embkit serve` loaded. GET answers one query (the CLI's --json object); POST answers a batch ({\"results\": [...]}, in request order). Unknown words give an object with \"error\" and status 200; bad requests 400, unknown names 404, too many items 413, each with {\"error\": {\"message\": ...}}."},
     "paths": {
      "/health": {"get": {"summary": "Liveness and what is loaded", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}},
      "/neighbors": {
       "get": {"summary": "The k nearest words of one word (cosine)", "parameters": [{"$ref": "#/components/parameters/embeddings"}, {"name": "word", "in": "query", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/k"}],
               "responses": {"200": {"description": "neighbours", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Neighbors"}}}}}},
       "post": {"summary": "Neighbours of many words in one scan", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["words"], "properties": {"embeddings": {"type": "string"}, "words": {"type": "array", "items": {"type": "string"}}, "k": {"type": "integer", "minimum": 1}}}}}},
               "responses": {"200": {"description": "one answer per word", "content": {"application/json": {"schema": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Neighbors"}}}}}}}}}},
      "/similarity": {
       "get": {"summary": "Cosine similarity of two words", "parameters": [{"$ref": "#/components/parameters/embeddings"}, {"name": "a", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "b", "in": "query", "required": true, "schema": {"type": "string"}}],
               "responses": {"200": {"description": "similarity", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Similarity"}}}}}},
       "post": {"summary": "Similarity of many pairs", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["pairs"], "properties": {"embeddings": {"type": "string"}, "pairs": {"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}}}}}}},
               "responses": {"200": {"description": "one answer per pair", "content": {"application/json": {"schema": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Similarity"}}}}}}}}}},
      "/analogy": {
       "get": {"summary": "a is to b as c is to ?", "parameters": [{"$ref": "#/components/parameters/embeddings"}, {"name": "a", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "b", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "c", "in": "query", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/k"}, {"name": "method", "in": "query", "schema": {"type": "string", "enum": ["add", "mul"]}}],
               "responses": {"200": {"description": "answers", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Analogy"}}}}}},
       "post": {"summary": "Many analogies in one scan", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["questions"], "properties": {"embeddings": {"type": "string"}, "k": {"type": "integer"}, "method": {"type": "string", "enum": ["add", "mul"]}, "questions": {"type": "array", "items": {"type": "object", "required": ["a", "b", "c"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}}}}}}}},
               "responses": {"200": {"description": "one answer per question", "content": {"application/json": {"schema": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Analogy"}}}}}}}}}},
      "/vector": {
       "get": {"summary": "The vector of a word", "parameters": [{"$ref": "#/components/parameters/embeddings"}, {"name": "word", "in": "query", "required": true, "schema": {"type": "string"}}],
               "responses": {"200": {"description": "vector", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Vector"}}}}}},
       "post": {"summary": "Vectors of many words", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["words"], "properties": {"embeddings": {"type": "string"}, "words": {"type": "array", "items": {"type": "string"}}}}}}},
               "responses": {"200": {"description": "one answer per word", "content": {"application/json": {"schema": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Vector"}}}}}}}}}},
      "/predict": {
       "get": {"summary": "Labels of one text", "parameters": [{"name": "model", "in": "query", "schema": {"type": "string"}}, {"name": "text", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "k", "in": "query", "description": "How many labels (default 1, as embkit predict; at most the server's --max-k)", "schema": {"type": "integer", "minimum": 1}}, {"name": "threshold", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1}}],
               "responses": {"200": {"description": "labels", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Prediction"}}}}}},
       "post": {"summary": "Labels of many lines", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["lines"], "properties": {"model": {"type": "string"}, "lines": {"type": "array", "items": {"type": "string"}}, "k": {"type": "integer", "description": "default 1"}, "threshold": {"type": "number"}}}}}},
               "responses": {"200": {"description": "one answer per line", "content": {"application/json": {"schema": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Prediction"}}}}}}}}}},
      "/encode": {
       "get": {"summary": "The sentence embedding of one text", "parameters": [{"name": "encoder", "in": "query", "schema": {"type": "string"}}, {"name": "text", "in": "query", "required": true, "schema": {"type": "string"}}],
               "responses": {"200": {"description": "embedding", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Encoding"}}}}}},
       "post": {"summary": "Sentence embeddings of many texts", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["texts"], "properties": {"encoder": {"type": "string"}, "texts": {"type": "array", "items": {"type": "string"}}}}}}},
               "responses": {"200": {"description": "one answer per text", "content": {"application/json": {"schema": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Encoding"}}}}}}}}}}
     },
     "components": {
      "parameters": {
       "embeddings": {"name": "embeddings", "in": "query", "description": "Which loaded table (optional when one is loaded)", "schema": {"type": "string"}},
       "k": {"name": "k", "in": "query", "description": "How many answers (default 10; at most the server's --max-k)", "schema": {"type": "integer", "minimum": 1}}},
      "schemas": {
       "ScoredWord": {"type": "object", "properties": {"word": {"type": "string"}, "similarity": {"type": "number"}}},
       "Neighbors": {"type": "object", "properties": {"query": {"type": "string"}, "neighbors": {"type": "array", "items": {"$ref": "#/components/schemas/ScoredWord"}}, "error": {"type": "string"}}},
       "Similarity": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "similarity": {"type": "number"}, "error": {"type": "string"}}},
       "Analogy": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}, "method": {"type": "string"}, "results": {"type": "array", "items": {"$ref": "#/components/schemas/ScoredWord"}}, "error": {"type": "string"}}},
       "Vector": {"type": "object", "properties": {"word": {"type": "string"}, "vector": {"type": "array", "items": {"type": "number"}}, "error": {"type": "string"}}},
       "Prediction": {"type": "object", "properties": {"labels": {"type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}, "probability": {"type": "number"}}}}}},
       "Encoding": {"type": "object", "properties": {"text": {"type": "string"}, "embedding": {"type": "array", "items": {"type": "number"}}}},
       "Health": {"type": "object", "properties": {"status": {"type": "string"}, "embeddings": {"type": "array", "items": {"type": "string"}}, "models": {"type": "array", "items": {"type": "string"}}, "encoders": {"type": "array", "items": {"type": "string"}}}}}}
    }
    """#
}
