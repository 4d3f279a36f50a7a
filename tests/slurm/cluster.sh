#!/usr/bin/env bash
# A one-node SLURM cluster on localhost for testing the workflow's SLURM profile.
#   bash tests/slurm/cluster.sh install   # Debian packages (slurm-wlm, slurmdbd, munge, mariadb)
#   bash tests/slurm/cluster.sh start     # munge, MariaDB, slurmdbd, slurmctld, slurmd
#   bash tests/slurm/cluster.sh stop      # stops everything, removes /etc/slurm/slurm.conf
# Needs root. All daemons listen on localhost only; state lives in $SLURM_TEST_DIR.
# The node declares one stand-in GPU per CPU (gres.conf: empty device files) so that
# rules with gpu=1 are accepted by sbatch and their request shows in accounting, while
# jobs still run side by side as on the CPUs alone (with one stand-in GPU, every gpu=1
# job waited for the last: the tiny DAG took over twice its --cores 2 time).
set -euo pipefail
DIR=${SLURM_TEST_DIR:-/tmp/cgexplain-slurm}
CLUSTER=cgxtest
ACCOUNT=cgxtest
NODE=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))
DB_PASS=cgexplain-test

install() {
  local missing=()
  for bin in slurmctld:slurm-wlm slurmdbd:slurmdbd munged:munge mariadbd:mariadb-server; do
    command -v "${bin%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${bin%%:*}" ] || missing+=("${bin##*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

wait_for() {  # wait_for SECONDS COMMAND...
  local t=$1; shift
  for _ in $(seq $((t * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "cluster.sh: timed out waiting for: $*" >&2; return 1
}

start() {
  mkdir -p "$DIR"/{state,spool,log,mysql-run}
  chown mysql:mysql "$DIR/mysql-run"
  # munge: key and runtime directory owned by the munge user
  [ -s /etc/munge/munge.key ] || (mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null \
    || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null)
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge && chown munge:munge /run/munge
  runuser -u munge -- /usr/sbin/munged --force
  wait_for 10 munge -n

  # MariaDB for slurmdbd (socket only, no TCP)
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql >/dev/null
  (mariadbd --user=mysql --skip-networking --socket=/run/mysqld/mysqld.sock \
     --pid-file="$DIR/mysql-run/mysqld.pid" >"$DIR/log/mariadb.log" 2>&1 &)
  wait_for 30 mariadb -e "select 1"
  # fresh accounting for every test cluster
  mariadb -e "DROP DATABASE IF EXISTS slurm_acct_db;"
  mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"

  cat >"$DIR/slurmdbd.conf" <<CONF
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
PidFile=$DIR/state/slurmdbd.pid
LogFile=$DIR/log/slurmdbd.log
CONF
  chmod 600 "$DIR/slurmdbd.conf"

  cat >"$DIR/slurm.conf" <<CONF
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStorageTRES=gres/gpu
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/state/slurmctld.pid
SlurmdPidFile=$DIR/state/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB Gres=gpu:$CPUS State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  for i in $(seq 0 $((CPUS - 1))); do : >"$DIR/gpu$i"; done  # stand-in device files
  echo "NodeName=$NODE Name=gpu File=$DIR/gpu[0-$((CPUS - 1))]" >"$DIR/gres.conf"
  # the executor plugin's job-step helper drops SLURM_CONF: the config must sit at the default path
  mkdir -p /etc/slurm
  ln -sf "$DIR/slurm.conf" /etc/slurm/slurm.conf
  ln -sf "$DIR/gres.conf" /etc/slurm/gres.conf
  ln -sf "$DIR/slurmdbd.conf" /etc/slurm/slurmdbd.conf

  /usr/sbin/slurmdbd
  wait_for 30 sacctmgr -n list cluster
  sacctmgr -i add cluster "$CLUSTER" >/dev/null || true
  sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER" >/dev/null || true
  sacctmgr -i add user root DefaultAccount="$ACCOUNT" Account="$ACCOUNT" >/dev/null || true
  /usr/sbin/slurmctld
  wait_for 30 scontrol ping
  /usr/sbin/slurmd
  wait_for 30 bash -c "sinfo -h -N -o %t | grep -Eq '^(idle|mix|alloc)'"
  echo "cluster.sh: one-node SLURM cluster '$CLUSTER' up (node $NODE, $CPUS CPUs, $CPUS stand-in GPUs)"
}

stop() {
  for pidfile in "$DIR/state/slurmd.pid" "$DIR/state/slurmctld.pid" "$DIR/state/slurmdbd.pid" \
                 "$DIR/mysql-run/mysqld.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
  pkill -x slurmd 2>/dev/null || true; pkill -x slurmctld 2>/dev/null || true
  pkill -x slurmdbd 2>/dev/null || true; pkill -x mariadbd 2>/dev/null || true
  pkill -x munged 2>/dev/null || true
  for f in slurm.conf gres.conf slurmdbd.conf; do
    [ -L "/etc/slurm/$f" ] && rm -f "/etc/slurm/$f"
  done
  rm -rf "$DIR"
  echo "cluster.sh: stopped"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
