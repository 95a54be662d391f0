-- POST /api/decompose for the uploaded poster named by FILE_ID.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"file_id":"' .. os.getenv("FILE_ID") .. '","num_layers":5,"resolution":1024}'
