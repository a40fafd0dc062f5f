export { createOperatorMcpServer, type OperatorMcpServerOptions } from './operator-mcp-server.ts';
export { startMcp, MCP_SERVER_VERSION, type RunningMcp, type StartMcpOptions } from './start-mcp.ts';
export { OPERATOR_TOOLS } from './tool-catalog.ts';
