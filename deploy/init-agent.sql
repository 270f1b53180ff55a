-- A login for agents to use through bulwark (password "agent").
CREATE ROLE agent_demo LOGIN PASSWORD 'agent';
GRANT ALL ON SCHEMA public TO agent_demo;
