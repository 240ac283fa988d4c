-- A real-editor test of meshls: Neovim (0.7+, headless) starts the server on a copy of the
-- bikeshop fixture, opens a model, and checks diagnostics, hover, go-to-definition and
-- completion after `alias.` through Neovim's own LSP client.
--
--   MESHLS_BIN=target/debug/meshls MESHLS_WORKSPACE=/tmp/copy-of-fixtures-bikeshop \
--     nvim --headless --clean -u NONE -c "luafile tests/neovim/meshls_spec.lua"
--
-- Exits 0 (`qa!`) on success; on failure prints the reason (and the tail of Neovim's LSP log,
-- which holds the server's stderr) to stderr and exits 1 (`cquit 1`). tests/neovim.rs runs it.
--
-- Written against Neovim 0.7 (Debian 12): no vim.lsp.start, so vim.lsp.start_client and
-- vim.lsp.buf_attach_client, and synchronous waits (vim.wait, request_sync).

local GLOBAL_TIMEOUT_MS = tonumber(os.getenv('MESHLS_NVIM_TIMEOUT_MS') or '') or 45000
local STEP_TIMEOUT_MS = 20000
local REQUEST_TIMEOUT_MS = 10000

-- The model opened, the mixed-case reference in it, and where that reference is defined.
local MODEL = 'models/shop/mixed_case.sql'
local REFERENCE = 'Shop.Orders'
local CANONICAL = 'shop.orders'
local DEFINING_FILE = 'models/shop/orders.sql'
-- A table that is nothing in the project, added to the buffer for a moment.
local BOGUS_TABLE = 'nowhere.no_such_table'

local started = vim.loop.hrtime()
local finished = false

local function log(message)
  io.stdout:write(string.format('[meshls_spec %6.2fs] %s\n', (vim.loop.hrtime() - started) / 1e9, message))
  io.stdout:flush()
end

local function lsp_log_tail(lines)
  local ok, path = pcall(vim.lsp.get_log_path)
  if not ok or not path or vim.fn.filereadable(path) == 0 then
    return '(no LSP log)'
  end
  local all = vim.fn.readfile(path)
  local first = math.max(1, #all - lines + 1)
  return 'last lines of ' .. path .. ':\n' .. table.concat(vim.list_slice(all, first, #all), '\n')
end

-- Leaves Neovim with `code`, from any context (a libuv callback cannot run Ex commands).
local function quit(code)
  if vim.in_fast_event() then
    vim.schedule(function()
      quit(code)
    end)
    return
  end
  io.stdout:flush()
  io.stderr:flush()
  local ok = pcall(vim.cmd, code == 0 and 'qa!' or ('cquit ' .. code))
  if not ok then
    os.exit(code)
  end
end

-- Reports the first failure (with the tail of the LSP log) and exits 1. Later calls only exit.
local function fail(message)
  if vim.in_fast_event() then
    vim.schedule(function()
      fail(message)
    end)
    return
  end
  if not finished then
    finished = true
    io.stderr:write('\nmeshls_spec FAILED: ' .. tostring(message) .. '\n\n' .. lsp_log_tail(60) .. '\n')
  end
  quit(1)
end

-- Whatever happens, never hang: the global timeout fires inside any vim.wait below, or after.
vim.defer_fn(function()
  fail(string.format('global timeout: the spec did not finish within %d ms', GLOBAL_TIMEOUT_MS))
end, GLOBAL_TIMEOUT_MS)

-- A failed check raises a table, so that it is reported without a Lua traceback.
local function check(condition, message)
  if not condition then
    error({ check = message }, 0)
  end
end

local function wait_for(what, predicate, timeout_ms)
  local ok = vim.wait(timeout_ms or STEP_TIMEOUT_MS, predicate, 20)
  if not ok then
    error({ check = 'timed out waiting for ' .. what }, 0)
  end
end

local function realpath(path)
  return vim.loop.fs_realpath(path) or path
end

local function main()
  local bin = os.getenv('MESHLS_BIN')
  local workspace = os.getenv('MESHLS_WORKSPACE')
  check(bin and bin ~= '', 'MESHLS_BIN is not set (the path of the meshls binary)')
  check(workspace and workspace ~= '', 'MESHLS_WORKSPACE is not set (a copy of fixtures/bikeshop)')
  check(vim.fn.executable(bin) == 1, 'MESHLS_BIN is not executable: ' .. bin)
  workspace = realpath(workspace)
  local model_path = workspace .. '/' .. MODEL
  local defining_path = workspace .. '/' .. DEFINING_FILE
  check(vim.fn.filereadable(model_path) == 1, 'no such file: ' .. model_path)
  check(vim.fn.filereadable(defining_path) == 1, 'no such file: ' .. defining_path)
  log('nvim ' .. tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch
    .. ', meshls ' .. bin .. ', workspace ' .. workspace)

  vim.cmd('edit ' .. vim.fn.fnameescape(model_path))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  local original = vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)

  -- Count the publishDiagnostics that reach this buffer, and record indexing progress.
  local published = 0
  local indexed = false
  local handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      if result and result.uri and realpath(vim.uri_to_fname(result.uri)) == model_path then
        published = published + 1
        -- Informational: what each publish held (the first one may predate indexing).
        local messages = {}
        for _, d in ipairs(result.diagnostics or {}) do
          table.insert(messages, string.format('%d:%d %s', d.range.start.line + 1, d.range.start.character + 1, d.message))
        end
        log(string.format('publishDiagnostics #%d for %s: %d diagnostic(s)%s', published, MODEL,
          #messages, #messages > 0 and (' - ' .. table.concat(messages, '; ')) or ''))
      end
      return vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
    end,
    ['$/progress'] = function(err, result, ctx, config)
      if result and result.token == 'meshls/index' and type(result.value) == 'table' and result.value.kind == 'end' then
        indexed = true
        log('indexing finished: ' .. tostring(result.value.message))
      end
      return vim.lsp.handlers['$/progress'](err, result, ctx, config)
    end,
  }

  local client_id = vim.lsp.start_client({
    name = 'meshls',
    cmd = { bin },
    cmd_env = { MESHLS_LOG = os.getenv('MESHLS_LOG') or 'info' },
    root_dir = workspace,
    handlers = handlers,
    on_exit = function(code, signal)
      if not finished then
        fail(string.format('meshls exited early (code %s, signal %s)', tostring(code), tostring(signal)))
      end
    end,
  })
  check(client_id, 'vim.lsp.start_client returned nil')
  check(vim.lsp.buf_attach_client(bufnr, client_id), 'vim.lsp.buf_attach_client failed')

  wait_for('the client to initialize and attach', function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized and vim.lsp.buf_is_attached(bufnr, client_id)
  end)
  log('client initialized and attached')
  wait_for('the first publishDiagnostics for ' .. MODEL, function()
    return published > 0
  end)
  log('first diagnostics arrived (' .. published .. ' publish(es))')

  local function unregistered()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == 'unregistered-table' then
        table.insert(found, d)
      end
    end
    return found
  end
  local function describe(diagnostics)
    local parts = {}
    for _, d in ipairs(diagnostics) do
      table.insert(parts, string.format('%d:%d [%s] %s', d.lnum + 1, d.col + 1, tostring(d.code), d.message))
    end
    return #parts == 0 and '(none)' or table.concat(parts, '; ')
  end

  -- A deliberate unregistered table: a warning must appear on it ...
  local from_line
  for i, line in ipairs(original) do
    if line:find(REFERENCE, 1, true) then
      from_line = i - 1
      break
    end
  end
  check(from_line, REFERENCE .. ' not found in ' .. MODEL)
  local bogus_line = from_line + 1
  vim.api.nvim_buf_set_lines(bufnr, bogus_line, bogus_line, true, { 'CROSS JOIN ' .. BOGUS_TABLE })
  local ok = vim.wait(STEP_TIMEOUT_MS, function()
    for _, d in ipairs(unregistered()) do
      if d.lnum == bogus_line and d.message:find(BOGUS_TABLE, 1, true) then
        return true
      end
    end
    return false
  end, 20)
  check(ok, 'no unregistered-table warning on the inserted `' .. BOGUS_TABLE .. '` (line ' .. (bogus_line + 1)
    .. '); diagnostics now: ' .. describe(vim.diagnostic.get(bufnr)))
  for _, d in ipairs(unregistered()) do
    check(d.severity == vim.diagnostic.severity.WARN, 'unregistered-table is not a warning: ' .. describe({ d }))
  end
  log('warning on the inserted reference: ' .. describe(unregistered()))

  -- ... and go away once the line is removed again. (Waiting for no unregistered-table at all
  -- also waits out the server's first publish, sent on didOpen before indexing has finished,
  -- which flags every reference to another model until the index is loaded.)
  vim.api.nvim_buf_set_lines(bufnr, bogus_line, bogus_line + 1, true, {})
  check(vim.deep_equal(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), original), 'the buffer was not restored')
  ok = vim.wait(STEP_TIMEOUT_MS, function()
    return #unregistered() == 0
  end, 20)
  check(ok, 'unregistered-table diagnostics did not clear after removing the inserted line; still: '
    .. describe(unregistered()))
  log('diagnostics cleared; all diagnostics now: ' .. describe(vim.diagnostic.get(bufnr))
    .. (indexed and '' or ' (no indexing progress end seen)'))

  -- The server's copy of the buffer matches Neovim's (incremental sync worked).
  local text = vim.lsp.buf_request_sync(bufnr, 'meshls/debug/documentText', { uri = uri }, REQUEST_TIMEOUT_MS)
  local server_text = text and text[client_id] and text[client_id].result
  if type(server_text) == 'string' then
    check(server_text:gsub('\n$', '') == table.concat(original, '\n'),
      'the server\'s copy of the document differs from the buffer:\n' .. server_text)
    log('the server\'s copy of the document matches the buffer')
  else
    log('meshls/debug/documentText gave no text; not comparing the server\'s copy')
  end

  -- Hover on the mixed-case reference, on each of its parts.
  local line_text = original[from_line + 1]
  local ref_col = line_text:find(REFERENCE, 1, true) - 1 -- 0-based; ASCII, so UTF-16 = bytes
  local hover_markdown
  for _, offset in ipairs({ 0, #'Shop.' + 2, #REFERENCE - 1 }) do
    local position = { line = from_line, character = ref_col + offset }
    local params = { textDocument = { uri = uri }, position = position }
    local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, REQUEST_TIMEOUT_MS)
    check(responses, 'hover request failed: ' .. tostring(err))
    local response = responses[client_id]
    check(response, 'no hover response from meshls')
    check(not response.err, 'hover error at ' .. vim.inspect(position) .. ': ' .. vim.inspect(response.err))
    local result = response.result
    check(result and result.contents, 'hover at line ' .. (from_line + 1) .. ' character ' .. position.character
      .. ' (`' .. line_text:sub(position.character + 1, position.character + 1) .. '` of `' .. REFERENCE
      .. '`) returned nothing')
    local markdown = type(result.contents) == 'table' and result.contents.value or result.contents
    check(type(markdown) == 'string', 'unexpected hover contents: ' .. vim.inspect(result.contents))
    check(markdown:find('`' .. CANONICAL .. '`', 1, true),
      'hover does not name `' .. CANONICAL .. '`:\n' .. markdown)
    check(vim.startswith(markdown, '### `' .. CANONICAL .. '`'),
      'hover does not start with the model card title:\n' .. markdown)
    hover_markdown = markdown
  end
  log('hover: ' .. vim.split(hover_markdown, '\n')[1])

  -- Go to definition: the `name` of shop.orders's MODEL block.
  local position = { line = from_line, character = ref_col + #'Shop.' + 2 }
  local params = { textDocument = { uri = uri }, position = position }
  local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/definition', params, REQUEST_TIMEOUT_MS)
  check(responses, 'definition request failed: ' .. tostring(err))
  local response = responses[client_id]
  check(response and not response.err, 'definition error: ' .. vim.inspect(response and response.err))
  local result = response.result
  check(result, 'definition of ' .. REFERENCE .. ' returned nothing')
  local locations = vim.tbl_islist(result) and result or { result }
  check(#locations >= 1, 'definition returned no location')
  local location = locations[1]
  local target_uri = location.uri or location.targetUri
  local target_range = location.range or location.targetSelectionRange
  check(target_uri and target_range, 'not a location: ' .. vim.inspect(location))
  local target_path = realpath(vim.uri_to_fname(target_uri))
  check(target_path == realpath(defining_path),
    'definition went to ' .. target_uri .. ', not ' .. vim.uri_from_fname(defining_path))
  local defining = vim.fn.readfile(defining_path)
  local target_line = defining[target_range.start.line + 1]
  check(target_line and target_line:find('name', 1, true),
    'the definition\'s line does not hold `name`: ' .. vim.inspect(target_line) .. ' at ' .. vim.inspect(target_range))
  local named = target_line:sub(target_range.start.character + 1, target_range['end'].character)
  check(target_range.start.line == target_range['end'].line and named:lower() == CANONICAL,
    'the definition\'s range is not the model name: ' .. vim.inspect(named) .. ' at ' .. vim.inspect(target_range))
  log('definition: ' .. DEFINING_FILE .. ':' .. (target_range.start.line + 1) .. ': ' .. vim.trim(target_line))

  -- Completion after `o.`, half typed: the SQL does not parse while the user types it.
  local from_text = original[from_line + 1]
  vim.api.nvim_buf_set_lines(bufnr, from_line, from_line + 1, true, { from_text .. ' AS o' })
  vim.api.nvim_buf_set_lines(bufnr, from_line, from_line, true, { '  , o.' })
  local completion_position = { line = from_line, character = #'  , o.' }
  local completed = {}
  ok = vim.wait(STEP_TIMEOUT_MS, function()
    local params = { textDocument = { uri = uri }, position = completion_position }
    local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, REQUEST_TIMEOUT_MS)
    local response = responses and responses[client_id]
    local result = response and response.result
    local items = result and (result.items or result) or {}
    completed = {}
    for _, item in ipairs(items) do
      table.insert(completed, item.label)
    end
    return vim.tbl_contains(completed, 'amount') and vim.tbl_contains(completed, 'customer_id')
  end, 100)
  check(ok, 'completion after `o.` does not offer ' .. CANONICAL .. '\'s columns; got: ' .. vim.inspect(completed))
  check(not vim.tbl_contains(completed, 'o'), 'completion after `o.` offers the alias itself: ' .. vim.inspect(completed))
  log('completion after `o.`: ' .. table.concat(completed, ', '))
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, true, original)
end

local ok, err = xpcall(main, function(e)
  if type(e) == 'table' and e.check then
    return e.check
  end
  return debug.traceback(tostring(e), 2)
end)
if not ok or finished then
  fail(err or 'see above')
else
  finished = true
  log('all checks passed')
  quit(0)
end
