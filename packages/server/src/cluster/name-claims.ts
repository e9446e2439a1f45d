/**
 * Online names across the nodes of a cluster: two guests on two nodes must not take one name.
 * Each node checks its own users in memory first (UserDirectory); a claim here makes the name
 * the user's on every node. Claims are leases: a node renews its own every heartbeat, and a
 * node that stops renewing (killed) loses them after the lease, or at once when another node
 * sees it gone and releases them. On one node (SQLite, local bus) nothing needs claiming.
 */
export interface NameClaims {
  /**
   * Claims a name key for a user on this node. True when the name is now the user's: it was
   * free, its lease ran out, or the same user holds it already (an account signed in on several
   * nodes). False when another user holds it. Atomic across nodes: of two racing claims of one
   * free name by different users, exactly one gets true.
   */
  claim(nameKey: string, userId: string): Promise<boolean>;
  /** Gives this node's claim of the name up; the user may still hold it through another node. */
  release(nameKey: string, userId: string): Promise<void>;
  /** Extends the lease of every claim this node holds (called each heartbeat). */
  renew(): Promise<void>;
  /** Drops every claim of a node: one seen gone, or this node's own at start (a crash before). */
  releaseNode(nodeId: string): Promise<void>;
}
