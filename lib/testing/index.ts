export { sessionStoreContract } from './session-store.contract';
export type { ContractSubject, SessionStoreContractOptions } from './session-store.contract';
export type { ContractApi } from './contract-api';
