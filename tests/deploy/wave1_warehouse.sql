-- The analytical store's schema when wave 1 ended (f914345: src/panhuo/warehouse/schema.py), for the upgrade test.
CREATE TABLE IF NOT EXISTS clients (
  client_id VARCHAR NOT NULL,
  branch_id VARCHAR NOT NULL,
  name VARCHAR,
  id_number VARCHAR,
  phone VARCHAR,
  gender VARCHAR,
  birth_date DATE,
  region VARCHAR,
  open_date DATE,
  client_type VARCHAR,
  risk_level VARCHAR,
  risk_assessed_on DATE,
  advisor_id VARCHAR,
  do_not_contact BOOLEAN,
  PRIMARY KEY (client_id)
);
CREATE TABLE IF NOT EXISTS advisors (
  advisor_id VARCHAR NOT NULL,
  name VARCHAR,
  level VARCHAR,
  region VARCHAR,
  capacity INTEGER,
  specialties VARCHAR,
  hire_date DATE,
  active BOOLEAN,
  PRIMARY KEY (advisor_id)
);
CREATE TABLE IF NOT EXISTS trades (
  trade_id VARCHAR NOT NULL,
  client_id VARCHAR NOT NULL,
  trade_date DATE NOT NULL,
  symbol VARCHAR NOT NULL,
  side VARCHAR NOT NULL,
  quantity BIGINT NOT NULL,
  price DOUBLE NOT NULL,
  amount DOUBLE NOT NULL,
  commission DOUBLE,
  stamp_duty DOUBLE,
  transfer_fee DOUBLE,
  channel VARCHAR
);
CREATE TABLE IF NOT EXISTS daily_assets (
  client_id VARCHAR NOT NULL,
  date DATE NOT NULL,
  cash DOUBLE,
  market_value DOUBLE,
  total_assets DOUBLE,
  net_transfer DOUBLE
);
CREATE TABLE IF NOT EXISTS transfers (
  transfer_id VARCHAR NOT NULL,
  client_id VARCHAR NOT NULL,
  transfer_time TIMESTAMP NOT NULL,
  direction VARCHAR NOT NULL,
  amount DOUBLE NOT NULL,
  bank VARCHAR
);
CREATE TABLE IF NOT EXISTS positions (
  as_of_date DATE NOT NULL,
  client_id VARCHAR NOT NULL,
  symbol VARCHAR NOT NULL,
  quantity BIGINT,
  cost_price DOUBLE,
  close_price DOUBLE,
  market_value DOUBLE
);
CREATE TABLE IF NOT EXISTS instruments (
  symbol VARCHAR NOT NULL,
  name VARCHAR,
  exchange VARCHAR,
  board VARCHAR,
  industry VARCHAR,
  list_date DATE,
  is_st BOOLEAN,
  PRIMARY KEY (symbol)
);
CREATE TABLE IF NOT EXISTS bars (
  symbol VARCHAR NOT NULL,
  trade_date DATE NOT NULL,
  open DOUBLE,
  high DOUBLE,
  low DOUBLE,
  close DOUBLE,
  pre_close DOUBLE,
  volume DOUBLE,
  amount DOUBLE,
  turnover_rate DOUBLE,
  adj_factor DOUBLE,
  PRIMARY KEY (symbol, trade_date)
);
CREATE TABLE IF NOT EXISTS client_days (
  client_id VARCHAR NOT NULL,
  trade_date DATE NOT NULL,
  trades INTEGER,
  amount DOUBLE,
  commission DOUBLE,
  buy_amount DOUBLE,
  sell_amount DOUBLE
);
CREATE TABLE IF NOT EXISTS client_symbols (
  client_id VARCHAR NOT NULL,
  symbol VARCHAR NOT NULL,
  first_trade_date DATE,
  last_trade_date DATE
);
