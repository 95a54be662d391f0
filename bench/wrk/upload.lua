-- POST /api/upload of the poster at POSTER_PATH as multipart/form-data.
local file = assert(io.open(os.getenv("POSTER_PATH"), "rb"))
local poster = file:read("*all")
file:close()
local boundary = "wrk-bench-boundary"
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.body = "--" .. boundary .. "\r\n"
  .. 'Content-Disposition: form-data; name="file"; filename="poster.jpg"\r\n'
  .. "Content-Type: image/jpeg\r\n\r\n" .. poster .. "\r\n--" .. boundary .. "--\r\n"
